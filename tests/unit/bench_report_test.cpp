#include <gtest/gtest.h>

#include "pgstack/bench/pool_report.h"

namespace pgstack::bench {
namespace {

PointResult MakePoint(EndpointKind e, ConnMode m, int clients, uint64_t txns, uint64_t lat_ns) {
  PointResult p;
  p.point = {e, m, clients};
  p.threads = 2;
  p.load.measured_s = 2;
  p.load.transactions = txns;
  for (uint64_t i = 0; i < 100; ++i) p.load.latency.Record(lat_ns + i * 1000);
  p.load.connect.Record(2'000'000);
  p.load.clients_connected_peak = clients;
  p.server_connections_peak = e == EndpointKind::kDirect ? clients : std::min(clients, 25);
  if (e == EndpointKind::kPooled) {
    p.pooler.emplace();
    p.pooler->sampled = true;
    p.pooler->cl_waiting_peak = std::max(0, clients - 25);
    p.pooler->maxwait_ms = 3.5;
  }
  return p;
}

PoolReport Sample() {
  PoolReport r;
  r.workload = WorkloadKind::kSelect;
  r.workload_description = "a <keyed> select & more";
  r.cpus = 2;
  r.server = {"17.2", "all", 200, 3};
  r.pooler_limits = PoolerLimits{20, 5, 200, 50, "transaction"};
  for (int c : {1, 50, 250}) {
    r.results.push_back(MakePoint(EndpointKind::kDirect, ConnMode::kPersistent, c, 20000, 400000));
    r.results.push_back(MakePoint(EndpointKind::kPooled, ConnMode::kPersistent, c, 18000, 500000));
  }
  r.results[4].load.errors["53300"] = 12;
  return r;
}

TEST(BenchReport, JsonHasTheDocumentedShape) {
  auto j = PoolReportJson(Sample());
  ASSERT_EQ(j["results"].size(), 6u);
  const auto& p = j["results"][1];
  EXPECT_EQ(p["endpoint"], "pooled");
  EXPECT_EQ(p["mode"], "persistent");
  EXPECT_EQ(p["clients"], 1);
  EXPECT_EQ(p["workload"], "select");
  EXPECT_DOUBLE_EQ(p["tps"].get<double>(), 9000);
  for (const char* k : {"p50", "p95", "p99", "max"}) EXPECT_GT(p["latency_ms"][k].get<double>(), 0);
  EXPECT_TRUE(p["errors"].is_object());
  EXPECT_EQ(p["server_connections_peak"], 1);
  EXPECT_EQ(p["pgbouncer"]["cl_waiting_peak"], 0);
  EXPECT_EQ(j["results"][4]["errors"]["53300"], 12);
  EXPECT_EQ(j["pgbouncer"]["default_pool_size"], 20);
  EXPECT_EQ(j["server"]["log_statement"], "all");
  EXPECT_FALSE(j["explanation"].empty());
}

TEST(BenchReport, ExplanationNamesTheLimits) {
  std::string all;
  for (const auto& s : ExplainPool(Sample())) all += s + "\n";
  EXPECT_NE(all.find("53300"), std::string::npos);
  EXPECT_NE(all.find("20 + 5 = 25"), std::string::npos);
  EXPECT_NE(all.find("max_client_conn = 200"), std::string::npos);
  EXPECT_NE(all.find("log_statement was 'all'"), std::string::npos);
}

TEST(BenchReport, RefusalsAreTheTooManyConnectionsErrors) {
  PoolReport r = Sample();
  r.results[3].load.errors["08006"] = 9;  // lost connections are not refusals
  r.results[5].load.errors["53300"] = 3;
  r.results[5].load.errors["08006"] = 4;
  std::string all;
  for (const auto& s : ExplainPool(r)) all += s + "\n";
  EXPECT_NE(all.find("at 250 clients only 250 got in and refused attempts were counted 12 times"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("at 250 clients only 250 got in, and refused attempts were counted 3 times"),
            std::string::npos)
      << all;
  EXPECT_EQ(all.find("at 50 clients only"), std::string::npos) << all;
}

TEST(BenchReport, SizingAdviceNamesTheClientsThatGotIn) {
  PoolReport r = Sample();
  // The best direct point asked for 250 clients; the server let 176 in.
  r.results[4].load.transactions = 90000;
  r.results[4].load.clients_connected_peak = 176;
  std::string all;
  for (const auto& para : ExplainPool(r)) all += para + "\n";
  EXPECT_NE(all.find("highest at 176 direct clients (of 250 asked for"), std::string::npos) << all;
  EXPECT_EQ(all.find("highest at 250"), std::string::npos) << all;
}

TEST(BenchReport, TableIsAligned) {
  auto lines = PoolTable(Sample());
  ASSERT_EQ(lines.size(), 7u);
  // Right-aligned figures: every row's tps column ends at the same offset as the header's.
  size_t end = lines[0].find("tps") + 3;
  for (size_t i = 1; i < lines.size(); ++i) {
    ASSERT_GT(lines[i].size(), end);
    EXPECT_NE(lines[i][end - 1], ' ') << lines[i];
    EXPECT_EQ(lines[i][end], ' ') << lines[i];
  }
}

// A small check that the SVG is well-formed: every element opened is closed, in order, and
// attribute values are quoted; text is escaped.
bool WellFormed(const std::string& svg, std::string* why) {
  std::vector<std::string> open;
  size_t i = 0;
  while ((i = svg.find('<', i)) != std::string::npos) {
    size_t end = svg.find('>', i);
    if (end == std::string::npos) return *why = "unterminated tag", false;
    std::string tag = svg.substr(i + 1, end - i - 1);
    i = end + 1;
    if (tag.empty() || tag[0] == '?' || tag[0] == '!') continue;
    if (tag.find('<') != std::string::npos) return *why = "'<' inside a tag", false;
    size_t quotes = std::count(tag.begin(), tag.end(), '"');
    if (quotes % 2) return *why = "unbalanced quotes in <" + tag + ">", false;
    if (tag[0] == '/') {
      std::string name = tag.substr(1);
      if (open.empty() || open.back() != name) return *why = "unexpected </" + name + ">", false;
      open.pop_back();
    } else if (tag.back() != '/') {
      open.push_back(tag.substr(0, tag.find_first_of(" \n")));
    }
  }
  if (!open.empty()) return *why = "unclosed <" + open.back() + ">", false;
  return true;
}

TEST(BenchReport, SvgIsWellFormedAndLabelled) {
  PoolReport r = Sample();
  r.server.version = "17 <beta> & co";
  std::string svg = PoolChartSvg(r);
  std::string why;
  EXPECT_TRUE(WellFormed(svg, &why)) << why;
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("<svg xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
  EXPECT_NE(svg.find(">direct persistent</text>"), std::string::npos);
  EXPECT_NE(svg.find(">pooled persistent</text>"), std::string::npos);
  EXPECT_NE(svg.find("Throughput"), std::string::npos);
  EXPECT_NE(svg.find("p99 latency"), std::string::npos);
  EXPECT_NE(svg.find("17 &lt;beta&gt; &amp; co"), std::string::npos);
}

TEST(BenchReport, ReadOnlyPointsSayEachReplicasShareAndFlagAnUnevenOne) {
  EXPECT_TRUE(EvenWithin({{"a", 50, 0.5}, {"b", 50, 0.5}}, kEvenTolerance));
  EXPECT_TRUE(EvenWithin({{"a", 62, 0.62}, {"b", 38, 0.38}}, kEvenTolerance));
  EXPECT_FALSE(EvenWithin({{"a", 63, 0.63}, {"b", 37, 0.37}}, kEvenTolerance));
  EXPECT_FALSE(EvenWithin({}, kEvenTolerance));
  PoolReport r = Sample();
  r.read_only = true;
  r.results.resize(2);
  r.results[1].replicas = {{"127.0.0.1:5433", 900, 0.9}, {"127.0.0.1:5434", 100, 0.1}};
  std::string all;
  for (const auto& p : ExplainPool(r)) all += p + "\n";
  EXPECT_NE(all.find("127.0.0.1:5433 90.0% (900 transactions), 127.0.0.1:5434 10.0% (100 "
                     "transactions) (not within 25% of even)"),
            std::string::npos)
      << all;
  auto j = PoolReportJson(r);
  EXPECT_EQ(j["read_only"], true);
  EXPECT_EQ(j["results"][1]["replicas"][0]["transactions"], 900);
  EXPECT_EQ(j["results"][1]["replicas_even"], false);
  EXPECT_FALSE(j["results"][0].contains("replicas"));
}

}  // namespace
}  // namespace pgstack::bench
