// The read pool over every replica (issue 26): through "<database>_ro" readers reach each running
// replica, verify's replication.read_pool says so and names one that does not answer, `up`
// takes a stopped replica out of the rotation until it runs again, and `bench pool --read-only`
// reports an even share per replica. One stack of two replicas for the suite, in order.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <set>

#include "fixture.h"
#include "pgstack/core/process.h"
#include "pgstack/location/stack_state.h"

namespace pgstack::testing {
namespace {

class ReadPool : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    stack_ = TestStack::Start().release();
    auto up = stack_->Pgstack({"up", "--replicas", "2"});
    ASSERT_EQ(up.exit_code, 0) << up.output;
  }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }

  static location::StackState State() {
    auto st = location::LoadState(stack_->state_dir());
    EXPECT_TRUE(st.ok()) << st.status().message();
    return st.ok() ? *st : location::StackState{};
  }
  static location::Endpoints Endpoints() {
    auto ep = location::LocalEndpoints(stack_->env(), stack_->state_dir());
    EXPECT_TRUE(ep.ok()) << ep.status().message();
    return ep.ok() ? *ep : location::Endpoints{};
  }
  static int Verify(const std::string& check, std::string* output) {
    auto out = stack_->Pgstack({"verify", "--check", check});
    *output = out.output;
    return out.exit_code;
  }

  static TestStack* stack_;
};
TestStack* ReadPool::stack_ = nullptr;

TEST_F(ReadPool, ConcurrentReadersReachEveryReplicaAndVerifySaysSo) {
  ASSERT_EQ(State().replicas.size(), 2u);
  std::vector<pg::Connection> readers;
  std::set<std::string> ports;
  for (int i = 0; i < 6; ++i) {
    auto c = pg::Connection::Open(Endpoints().read_pool);
    ASSERT_TRUE(c.ok()) << c.status().message();
    ASSERT_TRUE(c->Run("BEGIN").ok());
    auto port = c->Exec("SELECT current_setting('port')");
    ASSERT_TRUE(port.ok()) << port.status().message();
    ports.insert(std::string(port->scalar()));
    readers.push_back(std::move(*c));
  }
  std::set<std::string> want;
  for (const auto& r : State().replicas) want.insert(std::to_string(r.port));
  EXPECT_EQ(ports, want);
  readers.clear();
  std::string out;
  EXPECT_EQ(Verify("replication.read_pool", &out), 0) << out;
  for (const auto& r : State().replicas)
    EXPECT_NE(out.find("replica " + std::to_string(r.node)), std::string::npos) << out;
}

TEST_F(ReadPool, ReadOnlyBenchGivesEachReplicaAnEvenShare) {
  auto bench = stack_->Pgstack({"--json", "bench", "pool", "--read-only", "--clients", "8",
                                "--duration", "2s", "--warmup", "500ms"},
                               {}, Capture::kStdoutOnly);
  ASSERT_EQ(bench.exit_code, 0) << bench.output;
  auto doc = nlohmann::json::parse(bench.output, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << bench.output;
  EXPECT_EQ(doc["read_only"], true);
  ASSERT_EQ(doc["results"].size(), 1u) << bench.output;
  const auto& point = doc["results"][0];
  EXPECT_EQ(point["endpoint"], "pooled");
  ASSERT_EQ(point["replicas"].size(), 2u) << bench.output;
  uint64_t served = 0;
  for (const auto& r : point["replicas"]) {
    double share = r["share"];
    EXPECT_GE(share, 0.5 * 0.75) << bench.output;
    EXPECT_LE(share, 0.5 * 1.25) << bench.output;
    served += r["transactions"].get<uint64_t>();
  }
  EXPECT_EQ(point["replicas_even"], true) << bench.output;
  // The counters hold the warmup's transactions too, and every one the clients made.
  EXPECT_GE(served, point["transactions"].get<uint64_t>()) << bench.output;
}

TEST_F(ReadPool, AKilledReplicaFailsTheCheckAndUpTakesItOutUntilItRunsAgain) {
  auto r = State().replicas.at(0);
  std::string pidfile =
      location::StatePaths(stack_->state_dir()).Node(r.node).data + "/postmaster.pid";
  Status killed = SignalAndWait(pidfile, SIGKILL);
  ASSERT_TRUE(killed.ok()) << killed.message();
  std::string out;
  EXPECT_EQ(Verify("replication.read_pool", &out), 3) << out;
  auto up = stack_->Pgstack({"up"});
  ASSERT_EQ(up.exit_code, 0) << up.output;
  // Before it restarted the replica, up left it out (PgBouncer reloaded with one host); once
  // it ran, up put it back.
  EXPECT_NE(up.output.find("reloaded PgBouncer (pgbouncer.ini changed)"), std::string::npos)
      << up.output;
  EXPECT_NE(up.output.find("read pool " + stack_->env().postgres.database +
                           "_ro now rotates over 2 replicas"),
            std::string::npos)
      << up.output;
  EXPECT_EQ(Verify("replication.read_pool", &out), 0) << out;
}

}  // namespace
}  // namespace pgstack::testing
