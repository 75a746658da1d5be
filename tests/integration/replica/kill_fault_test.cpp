// kill -9 of pgstack while it adds or removes a replica (issue 15). `up --replicas 1` adding a
// replica to a running stack is killed with SIGKILL at each moment of the replica's base copy, in
// a seeded order and (while files are copied) after a seeded delay; `up --replicas 0` is killed a
// seeded moment after it wrote the state without the replica. Then `up` must finish the job, and
// `destroy` leave nothing running, whatever the killed run left. A stack of its own, so that the
// shared one of replica_test.cpp keeps its order. The seed is printed; PGSTACK_FAULT_SEED=N
// replays a run. And what an `up` killed while it deleted a replica to rebuild it leaves, a
// `promote` killed once it fenced the old primary, and one killed at a seeded moment.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <random>

#include "fixture.h"
#include "pgstack/core/files.h"
#include "pgstack/core/wait.h"
#include "pgstack/location/stack_state.h"

namespace pgstack::testing {
namespace {

namespace fs = std::filesystem;

// The moments of a base copy, as the test sees them from outside (replicas.cpp, Build).
enum class KillPoint {
  kBackupHeld,  // pg_backup_start ran and its session holds the backup
  kCopying,     // data.copy exists: files are being copied (plus a seeded delay)
  kCopied,      // data.copy was renamed to data: the replica is not started yet
  kStarted,     // the replica's postmaster wrote its pid file: it does not stream yet
};

std::string Name(KillPoint p) {
  switch (p) {
    case KillPoint::kBackupHeld:
      return "with pg_backup_start held";
    case KillPoint::kCopying:
      return "while files are copied";
    case KillPoint::kCopied:
      return "after the copy, before the replica starts";
    case KillPoint::kStarted:
      return "after the replica started";
  }
  return "";
}

constexpr int kNode = 1;  // the first replica of a stack whose primary is node 0

class ReplicaKillFault : public ::testing::Test {
 protected:
  void SetUp() override {
    stack_ = TestStack::Start();
    auto direct = stack_->Direct();
    ASSERT_TRUE(direct.ok() && direct->Run("CREATE TABLE copy_fault (x int)").ok());
  }

  std::string ReplicaData() const {
    return location::StatePaths(stack_->state_dir()).Node(kNode).data;
  }

  location::StackState State() const {
    auto st = location::LoadState(stack_->state_dir());
    EXPECT_TRUE(st.ok()) << st.status().message();
    return st.ok() ? *st : location::StackState{};
  }

  // Starts pgstack with args and kills it with SIGKILL delay_ms after `reached` holds. Fails when
  // it ends before.
  Status SpawnAndKillWhen(const std::vector<std::string>& args, const std::string& what,
                          const std::function<bool()>& reached, int delay_ms) {
    pid_t pid = stack_->SpawnPgstack(args);
    int exited = kStillRunning;
    Status seen = core::WaitUntil(
        {.what = what,
         .timeout = std::chrono::seconds(60),
         .backoff = {.first = std::chrono::milliseconds(1), .max = std::chrono::milliseconds(1)}},
        [&] {
          if (reached()) return core::Poll::Ready();
          exited = WaitExit(pid, std::chrono::milliseconds(0));
          if (exited != kStillRunning)
            return core::Poll::Fail(Status::Failure(fmt::format("it exited {} first", exited)));
          return core::Poll::NotYet("");
        });
    if (exited == kStillRunning) {
      if (seen.ok()) (void)core::Pause(std::chrono::milliseconds(delay_ms));
      KillAndReap(pid);
    }
    return seen;
  }

  // Starts `up --replicas 0` and kills it with SIGKILL delay_ms after it wrote the state without
  // the replica (so before, while or after it removes the replica).
  Status KillRemovalAfter(int delay_ms) {
    return SpawnAndKillWhen(
        {"up", "--replicas", "0"}, "up to write the state without the replica",
        [&] {
          auto st = location::LoadState(stack_->state_dir());
          return st.ok() && st->replicas.empty();
        },
        delay_ms);
  }

  // True when `at` has come; `su` is a superuser connection to the primary.
  bool Reached(KillPoint at, pg::Connection& su) const {
    switch (at) {
      case KillPoint::kBackupHeld: {
        auto r = su.Exec(
            "SELECT 1 FROM pg_stat_activity WHERE query LIKE 'SELECT pg_backup_start%' "
            "AND pid <> pg_backend_pid()");
        return r.ok() && r->rows() > 0;
      }
      case KillPoint::kCopying:
        return fs::exists(ReplicaData() + ".copy");
      case KillPoint::kCopied:
        return fs::exists(ReplicaData());
      case KillPoint::kStarted:
        return fs::exists(ReplicaData() + "/postmaster.pid");
    }
    return false;
  }

  // Starts `up --replicas 1` and kills it with SIGKILL once `at` has come (and delay_ms more).
  // Fails when that `up` ends before.
  Status KillUpAt(KillPoint at, int delay_ms) {
    auto su = stack_->Superuser();
    if (!su.ok()) return su.status();
    return SpawnAndKillWhen(
        {"up", "--replicas", "1"}, "up to reach the moment " + Name(at),
        [&] { return Reached(at, *su); }, delay_ms);
  }

  // After the killed `up`: a plain `up` (the state dir remembers the replica) finishes it.
  void ExpectUpCompletes(const std::string& where) {
    auto up = stack_->Pgstack({"up"});
    ASSERT_EQ(up.exit_code, 0) << where << ": " << up.output;
    auto st = State();
    ASSERT_EQ(st.replicas.size(), 1u) << where;
    const int node = st.replicas[0].node;

    auto verify = stack_->Pgstack({"verify", "--check", "replication"});
    EXPECT_EQ(verify.exit_code, 0) << where << ": " << verify.output;

    auto ep = location::LocalEndpoints(stack_->env(), stack_->state_dir());
    ASSERT_TRUE(ep.ok()) << ep.status().message();
    auto direct = pg::Connection::Open(ep->direct);
    ASSERT_TRUE(direct.ok()) << direct.status().message();
    EXPECT_EQ(direct->Exec("SELECT pg_is_in_recovery()")->scalar(), "f") << where;
    std::string row = std::to_string(++rows_);
    ASSERT_TRUE(direct->Run("INSERT INTO copy_fault VALUES (" + row + ")").ok());
    Status read = WaitFor("row " + row + " on the replica through the read pool", [&] {
      auto ro = pg::Connection::Open(ep->read_pool);
      if (!ro.ok()) return false;
      auto r = ro->Exec(
          "SELECT pg_is_in_recovery() AND EXISTS (SELECT 1 FROM copy_fault "
          "WHERE x = " +
          row + ")");
      return r.ok() && r->scalar() == "t";
    });
    EXPECT_TRUE(read.ok()) << where << ": " << read.message();

    // Nothing of the killed attempt: no half copy, no backup held open, no other slot.
    std::vector<std::string> copies;
    for (const auto& e : fs::recursive_directory_iterator(stack_->state_dir()))
      if (e.path().extension() == ".copy") copies.push_back(e.path().string());
    EXPECT_TRUE(copies.empty()) << where << ": left " << fmt::format("{}", fmt::join(copies, ", "));
    auto su = pg::Connection::Open(ep->superuser);  // the primary's, wherever a promote put it
    ASSERT_TRUE(su.ok()) << su.status().message();
    // The session of a backup ran pg_backup_start last; that of the killed `up` must be gone.
    Status no_backup = WaitFor("no session holding a backup", [&] {
      auto r = su->Exec(
          "SELECT 1 FROM pg_stat_activity WHERE query LIKE 'SELECT pg_backup_start%' "
          "AND pid <> pg_backend_pid()");
      return r.ok() && r->rows() == 0;
    });
    EXPECT_TRUE(no_backup.ok()) << where << ": " << no_backup.message();
    auto slots = su->Exec(
        "SELECT string_agg(slot_name || ':' || active, ',' ORDER BY slot_name) "
        "FROM pg_replication_slots");
    ASSERT_TRUE(slots.ok()) << slots.status().message();
    EXPECT_EQ(slots->scalar(), location::ReplicaSlotName(node) + ":true") << where;
  }

  std::unique_ptr<TestStack> stack_;
  int rows_ = 0;
};

TEST_F(ReplicaKillFault, UpKilledDuringTheCopyIsFinishedByTheNextUp) {
  std::mt19937 rng(FaultSeed());
  std::vector<KillPoint> points = {KillPoint::kBackupHeld, KillPoint::kCopying, KillPoint::kCopied,
                                   KillPoint::kStarted};
  std::shuffle(points.begin(), points.end(), rng);
  // The copy of the test stack's primary takes about half a second here.
  std::uniform_int_distribution<int> copy_ms(0, 300);
  for (size_t i = 0; i < points.size(); ++i) {
    KillPoint at = points[i];
    int delay = at == KillPoint::kCopying ? copy_ms(rng) : 0;
    std::string where = fmt::format("up killed {} (+{} ms)", Name(at), delay);
    SCOPED_TRACE(where);
    if (i > 0) {  // the replica goes, so that this round copies anew
      auto none = stack_->Pgstack({"up", "--replicas", "0"});
      ASSERT_EQ(none.exit_code, 0) << none.output;
      ASSERT_FALSE(fs::exists(ReplicaData()));
    }
    Status killed = KillUpAt(at, delay);
    ASSERT_TRUE(killed.ok()) << killed.message();
    // Where the kill landed, for the messages (a slow machine copies for longer).
    where += fs::exists(ReplicaData() + ".copy") ? ", left data.copy"
             : fs::exists(ReplicaData())         ? ", left data"
                                                 : ", left no copy";
    ExpectUpCompletes(where);
    if (HasFatalFailure()) return;
  }
  auto destroy = stack_->Pgstack({"destroy", "--yes"});
  EXPECT_EQ(destroy.exit_code, 0) << destroy.output;
  EXPECT_FALSE(fs::exists(stack_->state_dir()));
  EXPECT_TRUE(ProcessesIn(stack_->state_dir()).empty());
}

// The replica the killed `up --replicas 0` had not removed yet is no longer in the state: `up`
// and `destroy` must still find it (its directory, its slot, its running postmaster).
TEST_F(ReplicaKillFault, UpKilledWhileRemovingAReplicaLeavesNothingBehind) {
  std::mt19937 rng(FaultSeed());
  std::uniform_int_distribution<int> removal_ms(0, 300);
  std::string replica_dir = location::StatePaths(stack_->state_dir()).NodeDir(kNode);
  for (std::string then : {"up", "destroy"}) {
    int delay = removal_ms(rng);
    std::string where =
        fmt::format("up --replicas 0 killed {} ms after it wrote the state, then {}", delay, then);
    SCOPED_TRACE(where);
    auto add = stack_->Pgstack({"up", "--replicas", "1"});
    ASSERT_EQ(add.exit_code, 0) << add.output;
    Status killed = KillRemovalAfter(delay);
    ASSERT_TRUE(killed.ok()) << killed.message();
    where += fs::exists(replica_dir) ? " (the replica's directory was left)" : "";
    if (then == "up") {
      auto up = stack_->Pgstack({"up"});
      ASSERT_EQ(up.exit_code, 0) << where << ": " << up.output;
      EXPECT_TRUE(State().replicas.empty()) << where;
      EXPECT_FALSE(fs::exists(replica_dir)) << where;
      EXPECT_TRUE(ProcessesIn(stack_->state_dir() + "/replicas").empty()) << where;
      auto su = stack_->Superuser();
      ASSERT_TRUE(su.ok()) << su.status().message();
      Status no_slot = WaitFor("no replication slot", [&] {
        auto r = su->Exec("SELECT count(*) FROM pg_replication_slots");
        return r.ok() && r->scalar() == "0";
      });
      EXPECT_TRUE(no_slot.ok()) << where << ": " << no_slot.message();
    } else {
      auto destroy = stack_->Pgstack({"destroy", "--yes"});
      EXPECT_EQ(destroy.exit_code, 0) << where << ": " << destroy.output;
      EXPECT_FALSE(fs::exists(stack_->state_dir())) << where;
      EXPECT_TRUE(ProcessesIn(stack_->state_dir()).empty()) << where;
    }
  }
}

// An `up` rebuilding a replica deletes its data directory before it copies the primary again;
// killed during that delete, it leaves part of it, in the directory's order: here PG_VERSION and
// global/ went, the rest stayed. (A kill inside a delete of milliseconds cannot be timed from
// outside, so the test makes what it leaves.) The next `up` must make the replica anew.
TEST_F(ReplicaKillFault, UpFinishesAReplicaWhoseDeleteWasKilled) {
  auto add = stack_->Pgstack({"up", "--replicas", "1"});
  ASSERT_EQ(add.exit_code, 0) << add.output;
  auto down = stack_->Pgstack({"down"});
  ASSERT_EQ(down.exit_code, 0) << down.output;
  fs::remove(ReplicaData() + "/PG_VERSION");
  fs::remove_all(ReplicaData() + "/global");
  ASSERT_TRUE(fs::exists(ReplicaData() + "/base"));
  ExpectUpCompletes("a replica's data directory half deleted");
}

// promote fences the old primary (standby.signal and a marker) before it promotes the replica and
// records the new primary; killed in between, the state still names the fenced node. The kill
// comes as the marker appears: pg_ctl promote, next, takes longer than the test takes to kill.
TEST_F(ReplicaKillFault, UpAfterAPromoteKilledBeforeItPromotedLeavesAWritablePrimary) {
  auto add = stack_->Pgstack({"up", "--replicas", "1"});
  ASSERT_EQ(add.exit_code, 0) << add.output;
  std::string marker = location::StatePaths(stack_->state_dir()).data + "/pgstack.fenced";
  pid_t pid = stack_->SpawnPgstack({"promote"});
  Status fenced = core::WaitUntil(
      {.what = "promote to fence the old primary",
       .timeout = std::chrono::seconds(60),
       .backoff = {.first = std::chrono::milliseconds(1), .max = std::chrono::milliseconds(1)}},
      [&] { return fs::exists(marker) ? core::Poll::Ready() : core::Poll::NotYet(""); });
  KillAndReap(pid);
  ASSERT_TRUE(fenced.ok()) << fenced.message();
  ASSERT_EQ(State().primary_node, 0) << "the kill came after promote recorded the new primary";
  ExpectUpCompletes("promote killed once it fenced the old primary");
}

// The fence is two files, standby.signal and then the marker; a promote killed between the two
// writes (a moment too short to time from outside, so the test makes what it leaves) leaves the
// stopped primary with standby.signal alone. `up` must start it writable, not as a standby that
// serves reads, lets the replicas cascade from it, and fails status (seed 2258793072).
TEST_F(ReplicaKillFault, UpAfterAPromoteKilledWhileItFencedLeavesAWritablePrimary) {
  auto add = stack_->Pgstack({"up", "--replicas", "1"});
  ASSERT_EQ(add.exit_code, 0) << add.output;
  auto down = stack_->Pgstack({"down"});
  ASSERT_EQ(down.exit_code, 0) << down.output;
  std::string data = location::StatePaths(stack_->state_dir()).data;
  ASSERT_TRUE(core::WriteFileAtomic(data + "/standby.signal", "", 0600).ok());
  ExpectUpCompletes("promote killed between standby.signal and the fence's marker");
  auto status = stack_->Pgstack({"status"});
  EXPECT_EQ(status.exit_code, 0) << status.output;
}

// promote killed with SIGKILL a seeded moment after it started (within the time it takes: the
// check of the replica, the stop of the old primary, the fence, pg_ctl promote, state.json, the
// other replica following, PgBouncer): status exits 0 only when the stack is whole, and else says
// `pgstack up` must follow; after `up`, every row committed before is there and replication is
// whole. Three rounds, each from where the last left.
TEST_F(ReplicaKillFault, PromoteKilledAtASeededMomentLosesNoCommittedRow) {
  std::mt19937 rng(FaultSeed());
  std::uniform_int_distribution<int> promote_ms(0, 2500);
  auto add = stack_->Pgstack({"up", "--replicas", "2"});
  ASSERT_EQ(add.exit_code, 0) << add.output;
  std::string rows;
  for (int round = 1; round <= 3; ++round) {
    auto ep = location::LocalEndpoints(stack_->env(), stack_->state_dir());
    ASSERT_TRUE(ep.ok()) << ep.status().message();
    auto direct = pg::Connection::Open(ep->direct);
    ASSERT_TRUE(direct.ok()) << direct.status().message();
    ASSERT_TRUE(direct->Run(fmt::format("INSERT INTO copy_fault VALUES ({})", round)).ok());
    rows += (rows.empty() ? "" : ",") + std::to_string(round);
    int delay = promote_ms(rng);
    std::string where = fmt::format("round {}: promote killed after {} ms", round, delay);
    SCOPED_TRACE(where);
    pid_t pid = stack_->SpawnPgstack({"promote"});
    int exited = WaitExit(pid, std::chrono::milliseconds(delay));
    if (exited == kStillRunning) KillAndReap(pid);
    where += exited == kStillRunning ? "" : fmt::format(" (it ended first, exit {})", exited);

    auto status = stack_->Pgstack({"status"});
    if (status.exit_code != 0) {
      EXPECT_NE(status.output.find("pgstack up"), std::string::npos) << where << status.output;
    }
    auto up = stack_->Pgstack({"up"});
    ASSERT_EQ(up.exit_code, 0) << where << ": " << up.output;
    ep = location::LocalEndpoints(stack_->env(), stack_->state_dir());
    ASSERT_TRUE(ep.ok()) << ep.status().message();
    auto pooled = pg::Connection::Open(ep->pooled);
    ASSERT_TRUE(pooled.ok()) << where << ": " << pooled.status().message();
    auto got = pooled->Exec("SELECT string_agg(x::text, ',' ORDER BY x) FROM copy_fault");
    ASSERT_TRUE(got.ok()) << got.status().message();
    EXPECT_EQ(got->scalar(), rows) << where << ": a committed row was lost";
    status = stack_->Pgstack({"status"});
    EXPECT_EQ(status.exit_code, 0) << where << ": " << status.output;
    auto verify = stack_->Pgstack({"verify", "--check", "replication"});
    EXPECT_EQ(verify.exit_code, 0) << where << ": " << verify.output;
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace pgstack::testing
