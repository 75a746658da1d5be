// `pgstack promote` never loses a committed row (issue 22) and leaves a stack that status,
// verify and `env --replica` describe as it is (issue 23): a replica that does not stream from
// the primary, or has not replayed its WAL, is refused; --force says what it loses; the other
// replicas follow the new primary or are fenced for `up` to rebuild. Each test has its own stack
// of two replicas, which it breaks.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fixture.h"
#include "pgstack/location/stack_state.h"

namespace pgstack::testing {
namespace {

class Promote : public ::testing::Test {
 protected:
  void SetUp() override {
    stack_ = TestStack::Start();
    auto up = stack_->Pgstack({"up", "--replicas", "2"});
    ASSERT_EQ(up.exit_code, 0) << up.output;
    ASSERT_TRUE(Run(stack_->endpoints().direct,
                    "CREATE TABLE kept (x int); INSERT INTO kept "
                    "VALUES (1)")
                    .ok());
    for (const auto& r : State().replicas) ExpectRowsOn(Node(r.port), "1");
  }

  location::StackState State() const {
    auto st = location::LoadState(stack_->state_dir());
    EXPECT_TRUE(st.ok()) << st.status().message();
    return st.ok() ? *st : location::StackState{};
  }

  // The endpoints as they are now (a promote moves the primary).
  location::Endpoints Endpoints() const {
    auto ep = location::LocalEndpoints(stack_->env(), stack_->state_dir());
    EXPECT_TRUE(ep.ok()) << ep.status().message();
    return ep.ok() ? *ep : location::Endpoints{};
  }

  // The application role on the node listening on `port`, and the superuser there.
  pg::ConnParams Node(int port) const {
    pg::ConnParams p = stack_->endpoints().direct;
    p.port = port;
    return p;
  }
  pg::ConnParams NodeSuperuser(int port) const {
    pg::ConnParams p = stack_->endpoints().superuser;
    p.port = port;
    return p;
  }

  static Status Run(const pg::ConnParams& p, const std::string& sql) {
    auto c = pg::Connection::Open(p);
    if (!c.ok()) return c.status();
    return c->Run(sql);
  }

  static std::string Rows(const pg::ConnParams& p) {
    auto c = pg::Connection::Open(p);
    if (!c.ok()) return c.status().message();
    auto r = c->Exec("SELECT string_agg(x::text, ',' ORDER BY x) FROM kept");
    return r.ok() ? std::string(r->scalar()) : r.status().message();
  }

  // Waits until `p` shows exactly `rows` in table kept.
  static void ExpectRowsOn(const pg::ConnParams& p, const std::string& rows) {
    Status s = WaitFor("rows " + rows + " on port " + std::to_string(p.port),
                       [&] { return Rows(p) == rows; });
    EXPECT_TRUE(s.ok()) << s.message() << " (has " << Rows(p) << ")";
  }

  // Replica `port` follows a node that is gone (as after a promote that did not repoint it):
  // its primary_conninfo leads to a closed port.
  void CutOff(int port) {
    // ALTER SYSTEM runs in no transaction block, so not in one query string with the reload.
    ASSERT_TRUE(
        Run(NodeSuperuser(port), "ALTER SYSTEM SET primary_conninfo = 'host=127.0.0.1 port=1'")
            .ok());
    ASSERT_TRUE(Run(NodeSuperuser(port), "SELECT pg_reload_conf()").ok());
    auto su = stack_->Superuser();
    ASSERT_TRUE(su.ok()) << su.status().message();
    Status gone = WaitFor("the cut-off replica to leave pg_stat_replication", [&] {
      auto r = su->Exec("SELECT count(*) FROM pg_stat_replication");
      return r.ok() && r->scalar() == "1";
    });
    ASSERT_TRUE(gone.ok()) << gone.message();
  }

  // `up`, then the stack is whole: `rows` on the primary and every replica, status exits 0,
  // the replication checks pass. What up printed.
  std::string ExpectWholeAfterUp(const std::string& rows) {
    auto up = stack_->Pgstack({"up"});
    EXPECT_EQ(up.exit_code, 0) << up.output;
    EXPECT_EQ(Rows(Endpoints().pooled), rows);
    for (const auto& r : State().replicas) ExpectRowsOn(Node(r.port), rows);
    auto status = stack_->Pgstack({"status"});
    EXPECT_EQ(status.exit_code, 0) << status.output;
    auto verify = stack_->Pgstack({"verify", "--check", "replication"});
    EXPECT_EQ(verify.exit_code, 0) << verify.output;
    return up.output;
  }

  std::unique_ptr<TestStack> stack_;
};

// The steps: promote 2, a write, promote 1. Replica 1 must follow node 2 after the first
// promote, so the second keeps row 2; status and verify name the fenced old primary until `up`.
TEST_F(Promote, TheOtherReplicasFollowAndNoCommittedRowIsLost) {
  auto first = stack_->Pgstack({"promote", "2"});
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("replica 1 follows node 2"), std::string::npos) << first.output;
  EXPECT_NE(first.output.find("pgstack up` must follow"), std::string::npos) << first.output;

  auto status = stack_->Pgstack({"status"});
  EXPECT_EQ(status.exit_code, 5) << status.output;
  EXPECT_NE(status.output.find("replica 0 needs a rebuild"), std::string::npos) << status.output;
  auto json = stack_->Pgstack({"--json", "status"}, {}, Capture::kStdoutOnly);
  auto doc = nlohmann::json::parse(json.output, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << json.output;
  for (const auto& r : doc["replicas"]) {
    if (r["node"] == 1) {
      EXPECT_EQ(r["state"], "streaming") << json.output;
    }
    if (r["node"] == 0) {
      EXPECT_FALSE(r["fenced"].is_null()) << json.output;
    }
  }
  auto read_only = stack_->Pgstack({"verify", "--check", "replication.read_only"});
  EXPECT_EQ(read_only.exit_code, 3) << read_only.output;
  EXPECT_NE(read_only.output.find("pgstack up"), std::string::npos) << read_only.output;
  EXPECT_EQ(read_only.output.find("run pgstack promote"), std::string::npos) << read_only.output;

  // The read pool leads to replica 1, which streams, not to the stopped old primary.
  auto ro = pg::Connection::Open(Endpoints().read_pool);
  ASSERT_TRUE(ro.ok()) << ro.status().message();
  EXPECT_EQ(ro->Exec("SELECT pg_is_in_recovery()")->scalar(), "t");

  ASSERT_TRUE(Run(Endpoints().pooled, "INSERT INTO kept VALUES (2)").ok());
  auto st = State();
  int replica1_port = 0;
  for (const auto& r : st.replicas)
    if (r.node == 1) replica1_port = r.port;
  ExpectRowsOn(Node(replica1_port), "1,2");
  auto second = stack_->Pgstack({"promote", "1"});
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_EQ(Rows(Endpoints().pooled), "1,2");

  ExpectWholeAfterUp("1,2");
}

// A replica following a node that is gone lacks the primary's last row: promote refuses it (exit
// 3, nothing changed); --force promotes it and says what is lost, and the replica that had the
// row cannot follow: it is fenced, and `up` rebuilds both fenced nodes.
// The test environment commits asynchronously (durability off): a row whose commit returned
// before its WAL was flushed is not yet in the WAL a replica can get, nor in what promote
// compares. These inserts commit synchronously, as the development and production ones do.
constexpr const char* kInsertTwo = "SET synchronous_commit = on; INSERT INTO kept VALUES (2)";

TEST_F(Promote, AReplicaThatDoesNotStreamIsRefusedAndForceSaysWhatIsLost) {
  auto before = State();
  int port1 = before.replicas.at(0).port;
  CutOff(port1);
  ASSERT_TRUE(Run(stack_->endpoints().direct, kInsertTwo).ok());

  auto refused = stack_->Pgstack({"promote", "1"});
  EXPECT_EQ(refused.exit_code, 3) << refused.output;
  EXPECT_NE(refused.output.find("does not stream from the primary"), std::string::npos)
      << refused.output;
  auto after = State();
  EXPECT_EQ(after.primary_node, before.primary_node);
  EXPECT_EQ(Rows(stack_->endpoints().direct), "1,2") << "the primary must still run";
  EXPECT_FALSE(location::StatePaths(stack_->state_dir()).Fenced());

  auto forced = stack_->Pgstack({"promote", "1", "--force"});
  ASSERT_EQ(forced.exit_code, 0) << forced.output;
  EXPECT_NE(forced.output.find("forced: replica 1"), std::string::npos) << forced.output;
  EXPECT_NE(forced.output.find("bytes short"), std::string::npos) << forced.output;
  EXPECT_EQ(Rows(Endpoints().pooled), "1") << "what --force said would be lost";
  EXPECT_NE(forced.output.find("replica 2 could not follow"), std::string::npos) << forced.output;
  // The sabotage goes, or the replicas `up` copies from node 1 would inherit it.
  ASSERT_TRUE(Run(Endpoints().superuser, "ALTER SYSTEM RESET primary_conninfo").ok());

  auto status = stack_->Pgstack({"status"});
  EXPECT_EQ(status.exit_code, 5) << status.output;
  auto env = stack_->Pgstack({"env", "--replica"});
  EXPECT_NE(env.exit_code, 0) << env.output;
  EXPECT_NE(env.output.find("pgstack up"), std::string::npos) << env.output;
  auto streaming = stack_->Pgstack({"verify", "--check", "replication.streaming"});
  EXPECT_EQ(streaming.exit_code, 3) << streaming.output;
  EXPECT_NE(streaming.output.find("needs a rebuild"), std::string::npos) << streaming.output;

  std::string up = ExpectWholeAfterUp("1");
  EXPECT_NE(up.find("rebuilt replica 0"), std::string::npos) << up;
  EXPECT_NE(up.find("rebuilt replica 2"), std::string::npos) << up;
}

// A replica that streams but has not replayed (replay paused) is refused while the primary keeps
// running and serving.
TEST_F(Promote, AReplicaThatHasNotReplayedIsRefused) {
  auto before = State();
  int port1 = before.replicas.at(0).port;
  ASSERT_TRUE(Run(NodeSuperuser(port1), "SELECT pg_wal_replay_pause()").ok());
  ASSERT_TRUE(Run(stack_->endpoints().direct, kInsertTwo).ok());
  auto refused = stack_->Pgstack({"promote", "1"});
  EXPECT_EQ(refused.exit_code, 3) << refused.output;
  EXPECT_NE(refused.output.find("has not replayed"), std::string::npos) << refused.output;
  EXPECT_EQ(State().primary_node, before.primary_node);
  EXPECT_EQ(Rows(stack_->endpoints().direct), "1,2");
  ASSERT_TRUE(Run(NodeSuperuser(port1), "SELECT pg_wal_replay_resume()").ok());
  auto promoted = stack_->Pgstack({"promote", "1"});
  ASSERT_EQ(promoted.exit_code, 0) << promoted.output;
  EXPECT_EQ(Rows(Endpoints().pooled), "1,2");
}

}  // namespace
}  // namespace pgstack::testing
