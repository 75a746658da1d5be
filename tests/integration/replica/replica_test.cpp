// `pgstack up --replicas N` against real servers: one stack for the whole binary, its replica
// broken on purpose in each way verify's replication checks and `up`'s repair know, then
// promoted. The tests run in order and each leaves the replica streaming for the next.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "fixture.h"
#include "pgstack/core/process.h"
#include "pgstack/location/stack_state.h"

namespace pgstack::testing {
namespace {

namespace fs = std::filesystem;

TestStack& Stack() {
  static TestStack& s = []() -> TestStack& {
    TestStack& shared = TestStack::Shared();
    auto up = shared.Pgstack({"up", "--replicas", "1"});
    EXPECT_EQ(up.exit_code, 0) << up.output;
    return shared;
  }();
  return s;
}

location::StackState State() {
  auto st = location::LoadState(Stack().state_dir());
  EXPECT_TRUE(st.ok()) << st.status().message();
  return st.ok() ? *st : location::StackState{};
}

int Verify(const std::string& check, std::string* output = nullptr) {
  auto out = Stack().Pgstack({"verify", "--check", check});
  if (output) *output = out.output;
  return out.exit_code;
}

// The endpoints as they are now (a promote moves the primary).
location::Endpoints Endpoints() {
  auto ep = location::LocalEndpoints(Stack().env(), Stack().state_dir());
  EXPECT_TRUE(ep.ok()) << ep.status().message();
  return *ep;
}

// A superuser on replica node `node`'s socket.
pg::ConnParams ReplicaSuperuser(const location::ReplicaState& r) {
  pg::ConnParams p = Endpoints().superuser;
  p.port = r.port;
  return p;
}

void ExpectStreaming() {
  Status s = WaitFor(
      "the replica to stream", [] { return Verify("replication.streaming") == 0; },
      std::chrono::seconds(30));
  EXPECT_TRUE(s.ok()) << s.message();
}

TEST(Replica, EveryVerifyCheckPasses) {
  ExpectStreaming();
  auto out = Stack().Pgstack({"--json", "verify"}, {}, Capture::kStdoutOnly);
  EXPECT_EQ(out.exit_code, 0) << out.output;
  auto doc = nlohmann::json::parse(out.output, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << out.output;
  int replication = 0;
  for (const auto& c : doc["checks"]) {
    std::string id = c["id"];
    if (id.rfind("replication.", 0) == 0) ++replication;
    // As in VerifyHealthy: no credentials file when the password came from the environment.
    if (id == "security.credentials_mode" && c["status"] == "skip") continue;
    EXPECT_EQ(c["status"], "pass") << c.dump();
  }
  EXPECT_EQ(replication, 5) << out.output;
}

TEST(Replica, ReadPoolReadsWhatThePrimaryWroteAndRefusesWrites) {
  ASSERT_EQ(State().replicas.size(), 1u);
  auto pooled = pg::Connection::Open(Endpoints().pooled);
  ASSERT_TRUE(pooled.ok()) << pooled.status().message();
  ASSERT_TRUE(pooled->Run("CREATE TABLE rep_t (x int); INSERT INTO rep_t VALUES (42)").ok());
  std::string got;
  Status seen = WaitFor("the row on the replica", [&] {
    auto ro = pg::Connection::Open(Endpoints().read_pool);
    if (!ro.ok()) return false;
    auto r = ro->Exec("SELECT x FROM rep_t");
    got = r.ok() && r->rows() == 1 ? r->scalar() : "";
    return got == "42";
  });
  EXPECT_TRUE(seen.ok()) << seen.message();
  auto ro = pg::Connection::Open(Endpoints().read_pool);
  ASSERT_TRUE(ro.ok()) << ro.status().message();
  EXPECT_EQ(ro->Exec("SELECT pg_is_in_recovery()")->scalar(), "t");
  EXPECT_FALSE(ro->Run("INSERT INTO rep_t VALUES (1)").ok());
  std::string out;
  EXPECT_EQ(Verify("replication", &out), 0) << out;
  auto env = Stack().Pgstack({"env", "--replica"});
  EXPECT_EQ(env.exit_code, 0) << env.output;
  EXPECT_NE(env.output.find(Stack().env().postgres.database + "_ro"), std::string::npos)
      << env.output;
  auto status = Stack().Pgstack({"--json", "status"});
  auto j = nlohmann::json::parse(status.output, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << status.output;
  ASSERT_EQ(j["replicas"].size(), 1u) << status.output;
  EXPECT_EQ(j["replicas"][0]["state"], "streaming") << status.output;
  EXPECT_EQ(j["replicas"][0]["running"], true) << status.output;
  // The text is one table: the replica's longer state does not shift its row's columns.
  auto text = Stack().Pgstack({"status"}, {}, Capture::kStdoutOnly);
  std::set<size_t> running_at;
  int rows = 0;
  std::istringstream lines(text.output);
  for (std::string line; std::getline(lines, line);) {
    size_t at = line.find(" running ");
    if (at == std::string::npos) continue;
    ++rows;
    running_at.insert(at);
  }
  EXPECT_EQ(rows, 3) << text.output;
  EXPECT_EQ(running_at.size(), 1u) << text.output;
}

TEST(Replica, MoreThanTheSendersAllowIsRefusedBeforeAnythingChanges) {
  auto up = Stack().Pgstack({"up", "--replicas", "11"});
  EXPECT_EQ(up.exit_code, 2) << up.output;
  EXPECT_NE(up.output.find("max_wal_senders"), std::string::npos) << up.output;
  EXPECT_EQ(State().replicas.size(), 1u);
}

TEST(Replica, LagAboveTheBoundFailsAndCatchesUp) {
  auto r = State().replicas.at(0);
  auto su = pg::Connection::Open(ReplicaSuperuser(r));
  ASSERT_TRUE(su.ok()) << su.status().message();
  ASSERT_TRUE(su->Run("SELECT pg_wal_replay_pause()").ok());
  auto direct = pg::Connection::Open(Endpoints().direct);
  ASSERT_TRUE(direct.ok());
  // About 40 MB of WAL, well above the 16 MB bound.
  ASSERT_TRUE(direct
                  ->Run("CREATE TABLE rep_bulk AS SELECT repeat('x', 1000) AS t "
                        "FROM generate_series(1, 40000)")
                  .ok());
  std::string out;
  EXPECT_EQ(Verify("replication.lag", &out), 3) << out;
  ASSERT_TRUE(su->Run("SELECT pg_wal_replay_resume()").ok());
  Status s = WaitFor(
      "the replica to catch up", [] { return Verify("replication.lag") == 0; },
      std::chrono::seconds(30));
  EXPECT_TRUE(s.ok()) << s.message();
  ASSERT_TRUE(direct->Run("DROP TABLE rep_bulk").ok());
}

TEST(Replica, KilledReplicaIsNamedAndUpRestartsIt) {
  auto r = State().replicas.at(0);
  std::string pidfile = fs::path(Stack().state_dir()) / "replicas" / std::to_string(r.node) /
                        "data" / "postmaster.pid";
  Status killed = SignalAndWait(pidfile, SIGKILL);
  ASSERT_TRUE(killed.ok()) << killed.message();
  std::string out;
  EXPECT_EQ(Verify("replication.streaming", &out), 3) << out;
  EXPECT_NE(out.find("replica " + std::to_string(r.node)), std::string::npos) << out;
  Status slots =
      WaitFor("the slot to go inactive", [] { return Verify("replication.slots") == 3; });
  EXPECT_TRUE(slots.ok()) << slots.message();
  auto up = Stack().Pgstack({"up"});
  EXPECT_EQ(up.exit_code, 0) << up.output;
  EXPECT_NE(up.output.find("started replica"), std::string::npos) << up.output;
  ExpectStreaming();
  EXPECT_EQ(Verify("replication.slots"), 0);
}

TEST(Replica, AGoneSlotMakesUpRebuildTheReplica) {
  auto r = State().replicas.at(0);
  std::string pidfile = fs::path(Stack().state_dir()) / "replicas" / std::to_string(r.node) /
                        "data" / "postmaster.pid";
  Status stopped = SignalAndWait(pidfile, SIGINT);  // a fast shutdown, as pg_ctl stop asks
  ASSERT_TRUE(stopped.ok()) << stopped.message();
  auto su = pg::Connection::Open(Endpoints().superuser);
  ASSERT_TRUE(su.ok());
  ASSERT_TRUE(WaitFor("the slot to be dropped", [&] {
                return su
                    ->Run("SELECT pg_drop_replication_slot('" + location::ReplicaSlotName(r.node) +
                          "')")
                    .ok();
              }).ok());
  auto up = Stack().Pgstack({"up"});
  EXPECT_EQ(up.exit_code, 0) << up.output;
  EXPECT_NE(up.output.find("rebuilt replica"), std::string::npos) << up.output;
  ExpectStreaming();
}

TEST(Replica, AReplicaPromotedByHandFailsReadOnlyAndIsRebuilt) {
  auto r = State().replicas.at(0);
  auto su = pg::Connection::Open(ReplicaSuperuser(r));
  ASSERT_TRUE(su.ok()) << su.status().message();
  ASSERT_TRUE(su->Run("SELECT pg_promote()").ok());
  std::string out;
  EXPECT_EQ(Verify("replication.read_only", &out), 3) << out;
  auto up = Stack().Pgstack({"up"});
  EXPECT_EQ(up.exit_code, 0) << up.output;
  EXPECT_NE(up.output.find("rebuilt replica"), std::string::npos) << up.output;
  ExpectStreaming();
  EXPECT_EQ(Verify("replication.read_only", &out), 0) << out;
}

TEST(Replica, PromoteMovesThePooledEndpointAndUpRebuildsTheOldPrimary) {
  auto before = State();
  auto promote = Stack().Pgstack({"promote"});
  ASSERT_EQ(promote.exit_code, 0) << promote.output;
  auto after = State();
  EXPECT_EQ(after.primary_node, before.replicas.at(0).node);
  EXPECT_EQ(after.pg_port, before.replicas.at(0).port);
  auto pooled = pg::Connection::Open(Endpoints().pooled);
  ASSERT_TRUE(pooled.ok()) << pooled.status().message();
  EXPECT_EQ(pooled->Exec("SELECT pg_is_in_recovery()")->scalar(), "f");
  ASSERT_TRUE(pooled->Run("INSERT INTO rep_t VALUES (43)").ok());
  EXPECT_EQ(pooled->Exec("SELECT count(*) FROM rep_t")->scalar(), "2");
  // The old primary is fenced until `up` makes it a replica of the new one.
  EXPECT_TRUE(fs::exists(fs::path(Stack().state_dir()) / "data" / "standby.signal"));
  auto up = Stack().Pgstack({"up"});
  EXPECT_EQ(up.exit_code, 0) << up.output;
  EXPECT_NE(up.output.find("rebuilt replica 0"), std::string::npos) << up.output;
  ExpectStreaming();
  std::string out;
  EXPECT_EQ(Verify("replication", &out), 0) << out;
}

}  // namespace
}  // namespace pgstack::testing
