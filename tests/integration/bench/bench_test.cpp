// pgstack bench against real servers: the pooled run stays within the pool, a direct run above
// max_connections reports refusals (53300) instead of failing, the chart is written, and bench
// jsonb sees the GIN index in the plan. No timing assertions: figures vary with the machine.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fixture.h"
#include "pgstack/core/files.h"

namespace pgstack::testing {
namespace {

// The JSON document of a --json run (stderr is mixed into the output; notes come before it).
nlohmann::json JsonOf(const core::CommandOutput& out) {
  size_t start = out.output.rfind("\n{\n");
  start = out.output.rfind("{\n", 0) == 0 ? 0 : start == std::string::npos ? start : start + 1;
  if (start == std::string::npos) return nullptr;
  return nlohmann::json::parse(out.output.substr(start), nullptr, false);
}

size_t Count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t i = s.find(what); i != std::string::npos; i = s.find(what, i + 1)) ++n;
  return n;
}

int Setting(const core::Environment& env, const std::string& name) {
  return std::stoi(env.setting(name).value_or("0"));
}

TEST(BenchPool, PooledRunServesClientsWithinThePoolAndDrawsAChart) {
  TestStack& stack = TestStack::Shared();
  std::string svg = TempDir("bench") + "/chart.svg";
  auto out = stack.Pgstack({"--json", "bench", "pool", "--endpoint", "pooled,direct", "--clients",
                            "4,40", "--duration", "1s", "--warmup", "300ms", "--svg", svg});
  ASSERT_EQ(out.exit_code, 0) << out.output;
  auto doc = JsonOf(out);
  ASSERT_TRUE(doc.is_object()) << out.output;
  ASSERT_EQ(doc["results"].size(), 4u) << out.output;
  int pool_limit =
      Setting(stack.env(), "default_pool_size") + Setting(stack.env(), "reserve_pool_size");
  ASSERT_GT(pool_limit, 0);
  for (const auto& r : doc["results"]) {
    EXPECT_GT(r["tps"].get<double>(), 0) << r;
    EXPECT_TRUE(r["errors"].empty()) << r;
    for (const char* k : {"p50", "p95", "p99", "max"})
      EXPECT_GT(r["latency_ms"][k].get<double>(), 0);
    int peak = r["server_connections_peak"].get<int>();
    if (r["endpoint"] == "pooled") {
      EXPECT_GE(peak, 1) << r;
      EXPECT_LE(peak, pool_limit) << r;
      EXPECT_TRUE(r["pgbouncer"]["sampled"].get<bool>()) << r;
      EXPECT_GE(r["pgbouncer"]["stats"]["transactions"].get<long long>(), 1) << r;
    } else {
      EXPECT_GE(peak, r["clients"].get<int>()) << r;  // a backend per client
    }
  }
  auto file = core::ReadFileIfExists(svg);
  ASSERT_TRUE(file.ok() && file->has_value());
  const std::string& chart = **file;
  EXPECT_EQ(chart.rfind("<?xml", 0), 0u);
  EXPECT_NE(chart.find("<svg xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
  EXPECT_NE(chart.find("</svg>"), std::string::npos);
  EXPECT_EQ(Count(chart, "<text"), Count(chart, "</text>"));
  EXPECT_NE(chart.find(">pooled persistent</text>"), std::string::npos);
  EXPECT_NE(chart.find(">direct persistent</text>"), std::string::npos);
}

TEST(BenchPool, PerTransactionRunReportsConnectTimes) {
  auto out = TestStack::Shared().Pgstack({"--json", "bench", "pool", "--endpoint", "pooled",
                                          "--mode", "per-transaction", "--clients", "4",
                                          "--duration", "1s", "--warmup", "0s"});
  ASSERT_EQ(out.exit_code, 0) << out.output;
  auto r = JsonOf(out)["results"][0];
  EXPECT_EQ(r["mode"], "per-transaction");
  EXPECT_GT(r["tps"].get<double>(), 0);
  EXPECT_GT(r["connect_ms"]["p50"].get<double>(), 0);
}

TEST(BenchPool, DirectClientsAboveMaxConnectionsAreCountedAsRefused) {
  auto stack = TestStack::Start("test");
  // Through the config, not ALTER SYSTEM: up resets overrides of the settings it owns.
  core::Environment env = stack->env();
  for (auto& [k, v] : env.postgres.settings)
    if (k == "max_connections") v = "20";
  auto up = stack::Up(env, stack::UpOptions{.state_dir = stack->state_dir()});
  ASSERT_TRUE(up.ok()) << up.status().message();
  {
    auto su = stack->Superuser();
    ASSERT_TRUE(su.ok());
    ASSERT_EQ(su->Exec("SHOW max_connections")->scalar(), "20");
  }
  auto out = stack->Pgstack({"--json", "bench", "pool", "--endpoint", "direct", "--clients", "30",
                             "--duration", "1s", "--warmup", "300ms"});
  ASSERT_EQ(out.exit_code, 0) << out.output;
  auto r = JsonOf(out)["results"][0];
  EXPECT_GT(r["errors"]["53300"].get<long long>(), 0) << r;
  EXPECT_GT(r["tps"].get<double>(), 0) << r;  // those that got in were served
  EXPECT_LT(r["clients_connected_peak"].get<int>(), 30) << r;
  EXPECT_NE(out.output.find("53300"), std::string::npos);
}

TEST(BenchPool, BadFlagsExitTwoNamingTheFlag) {
  auto out = TestStack::Shared().Pgstack({"bench", "pool", "--clients", "1,x"});
  EXPECT_EQ(out.exit_code, 2);
  EXPECT_NE(out.output.find("--clients"), std::string::npos) << out.output;
  out = TestStack::Shared().Pgstack({"bench", "pool", "--endpoint", "direct", "--clients", "1",
                                     "--duration", "200ms", "--warmup", "0s", "--sql", "selec 1"});
  EXPECT_EQ(out.exit_code, 2);
  EXPECT_NE(out.output.find("--sql"), std::string::npos) << out.output;
}

TEST(BenchJsonb, ReportsAnIndexPlanOnceTheIndexExists) {
  TestStack& stack = TestStack::Shared();
  auto out = stack.Pgstack({"--json", "bench", "jsonb", "--rows", "5000", "--runs", "3"});
  ASSERT_EQ(out.exit_code, 0) << out.output;
  auto doc = JsonOf(out);
  ASSERT_TRUE(doc.is_object()) << out.output;
  bool indexed_containment = false;
  for (const auto& q : doc["queries"]) {
    for (const auto& r : q["results"]) {
      if (r["index"] == "none") {
        EXPECT_FALSE(r["index_used"].get<bool>()) << r;
      }
      if (q["id"] == "contains" && r["index"] != "none" && r["index_used"].get<bool>()) {
        indexed_containment = true;
        EXPECT_NE(r["explain"].get<std::string>().find("Index Scan"), std::string::npos);
      }
    }
  }
  EXPECT_TRUE(indexed_containment) << doc.dump(2);
  // It cleans up after itself.
  auto conn = stack.Direct();
  ASSERT_TRUE(conn.ok());
  EXPECT_EQ(conn->Exec("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'pgstack_bench_%'")
                ->scalar(),
            "0");
}

}  // namespace
}  // namespace pgstack::testing
