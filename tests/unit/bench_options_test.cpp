#include <gtest/gtest.h>

#include "pgstack/bench/options.h"
#include "pgstack/bench/script.h"

namespace pgstack::bench {
namespace {

using std::chrono::milliseconds;

TEST(BenchOptions, RunTimesAreAtMostADay) {
  PoolFlags f;
  f.duration = "25h";
  auto o = ParsePoolFlags(f);
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().code(), Code::kInvalidInput);
  EXPECT_NE(o.status().message().find("--duration: '25h' is longer than a day"), std::string::npos)
      << o.status().message();
  f.duration = "10s";
  f.warmup = "ten";
  o = ParsePoolFlags(f);
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.status().message().find("--warmup"), std::string::npos);
}

TEST(BenchOptions, DefaultsParse) {
  auto o = ParsePoolFlags(PoolFlags{});
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o->endpoints, (std::vector{EndpointKind::kDirect, EndpointKind::kPooled}));
  EXPECT_EQ(o->modes, std::vector{ConnMode::kPersistent});
  EXPECT_EQ(o->clients, (std::vector{1, 10, 50, 100, 200}));
  EXPECT_EQ(o->workload, WorkloadKind::kSelect);
  EXPECT_EQ(o->duration, milliseconds(10000));
  EXPECT_EQ(o->warmup, milliseconds(2000));
}

TEST(BenchOptions, ReadOnlyRunsThePooledEndpointAndAReadingWorkloadOnly) {
  PoolFlags f;
  f.read_only = true;
  auto o = ParsePoolFlags(f);
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_TRUE(o->read_only);
  EXPECT_EQ(o->endpoints, std::vector{EndpointKind::kPooled});
  f.endpoints = "direct,pooled";
  f.endpoints_given = true;
  o = ParsePoolFlags(f);
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.status().message().find("--read-only"), std::string::npos) << o.status().message();
  f.endpoints = "pooled";
  f.workload = "write";
  o = ParsePoolFlags(f);
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.status().message().find("write"), std::string::npos) << o.status().message();
  f.workload = "jsonb";
  EXPECT_TRUE(ParsePoolFlags(f).ok());
}

TEST(BenchOptions, MatrixKeepsTheGivenOrder) {
  PoolFlags f;
  f.endpoints = "pooled,direct";
  f.modes = "per-transaction,persistent";
  f.clients = "50, 1,50";  // repeats collapse, spaces are fine
  auto o = ParsePoolFlags(f);
  ASSERT_TRUE(o.ok()) << o.status().message();
  auto m = Matrix(*o);
  ASSERT_EQ(m.size(), 8u);
  EXPECT_EQ(m[0].endpoint, EndpointKind::kPooled);
  EXPECT_EQ(m[0].mode, ConnMode::kPerTransaction);
  EXPECT_EQ(m[0].clients, 50);
  EXPECT_EQ(m[1].clients, 1);
  EXPECT_EQ(m[2].mode, ConnMode::kPersistent);
  EXPECT_EQ(m[4].endpoint, EndpointKind::kDirect);
}

TEST(BenchOptions, BadValuesNameTheFlag) {
  struct Case {
    PoolFlags flags;
    const char* flag;
  };
  PoolFlags endpoint, mode, clients, zero, workload, both, duration, threads;
  endpoint.endpoints = "direct,pgbouncer";
  mode.modes = "sometimes";
  clients.clients = "1,ten";
  zero.clients = "0";
  workload.workload = "update";
  both.sql = "select 1";
  both.workload_given = true;
  duration.duration = "50ms";
  threads.threads = -1;
  for (const Case& c :
       {Case{endpoint, "--endpoint"}, Case{mode, "--mode"}, Case{clients, "--clients"},
        Case{zero, "--clients"}, Case{workload, "--workload"}, Case{both, "--sql"},
        Case{duration, "--duration"}, Case{threads, "--threads"}}) {
    auto o = ParsePoolFlags(c.flags);
    ASSERT_FALSE(o.ok()) << c.flag;
    EXPECT_EQ(o.status().code(), Code::kInvalidInput);
    EXPECT_EQ(o.status().message().rfind(c.flag, 0), 0u) << o.status().message();
  }
}

TEST(BenchOptions, SqlReplacesTheWorkload) {
  PoolFlags f;
  f.sql = "select 1";
  auto o = ParsePoolFlags(f);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->workload, WorkloadKind::kCustomSql);
  EXPECT_EQ(o->sql, "select 1");
}

TEST(BenchOptions, Threads) {
  EXPECT_EQ(ThreadsFor(0, 16, 2), 2);
  EXPECT_EQ(ThreadsFor(0, 1, 8), 1);
  EXPECT_EQ(ThreadsFor(4, 2, 8), 2);
  EXPECT_EQ(ThreadsFor(3, 100, 2), 3);
  EXPECT_EQ(ThreadsFor(0, 5, 0), 1);
}

TEST(BenchScript, SubstitutesDeclaredVariablesOnly) {
  auto s = Script::Make({"SELECT :id::int, ':x', $$:id$$", "COMMIT"}, {{"id", 7, 7}});
  ASSERT_TRUE(s.ok());
  Rng rng(1);
  std::vector<int64_t> values;
  s->Draw(rng, values);
  std::string out;
  s->Render(0, values, out);
  EXPECT_EQ(out, "SELECT 7::int, ':x', $$7$$");
  s->Render(1, values, out);
  EXPECT_EQ(out, "COMMIT");
}

TEST(BenchScript, DrawsWithinBounds) {
  auto s = Script::Make({"SELECT :a, :b"}, {{"a", -3, 3}, {"b", 1, 100000}});
  ASSERT_TRUE(s.ok());
  Rng rng(9);
  std::vector<int64_t> v;
  bool saw_low = false, saw_high = false;
  for (int i = 0; i < 10000; ++i) {
    s->Draw(rng, v);
    ASSERT_GE(v[0], -3);
    ASSERT_LE(v[0], 3);
    ASSERT_GE(v[1], 1);
    ASSERT_LE(v[1], 100000);
    saw_low |= v[0] == -3;
    saw_high |= v[0] == 3;
  }
  EXPECT_TRUE(saw_low && saw_high);
}

}  // namespace
}  // namespace pgstack::bench
