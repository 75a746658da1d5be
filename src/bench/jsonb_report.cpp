#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "pgstack/bench/jsonb_bench.h"
#include "pgstack/bench/pool_report.h"
#include "pgstack/core/text_table.h"

namespace pgstack::bench {
namespace {

// How many times faster than the same query without an index (median against median).
double Speedup(const JsonbReport& r, const JsonbMeasurement& m) {
  for (const auto& base : r.measurements) {
    if (base.query == m.query && base.index == 0 && m.latency.Percentile(50) > 0) {
      return static_cast<double>(base.latency.Percentile(50)) / m.latency.Percentile(50);
    }
  }
  return 0;
}

std::string Size(long long bytes) {
  if (bytes >= 10 << 20) return fmt::format("{:.0f} MB", bytes / 1048576.0);
  if (bytes >= 1 << 20) return fmt::format("{:.1f} MB", bytes / 1048576.0);
  return fmt::format("{:.0f} kB", bytes / 1024.0);
}

}  // namespace

std::vector<std::string> JsonbTable(const JsonbReport& r) {
  std::vector<std::string> lines;
  lines.push_back(fmt::format("{} test-result documents: table {}, generated in {:.0f} ms", r.rows,
                              Size(r.table_bytes), r.load_ms));
  for (const auto& ix : r.indexes) {
    if (ix.definition.empty()) continue;
    lines.push_back(fmt::format("  {:<20} built in {:>7.0f} ms, {:>8}  ({})", ix.name, ix.build_ms,
                                Size(ix.size_bytes), ix.definition));
  }
  lines.emplace_back();
  std::vector<std::vector<std::string>> rows = {
      {"query", "index", "plan", "rows", "p50 ms", "p95 ms", "p99 ms", "speedup"}};
  const auto& queries = JsonbQueries();
  for (size_t q = 0; q < queries.size(); ++q) {
    for (const auto& m : r.measurements) {
      if (m.query != q) continue;
      rows.push_back({m.index == 0 ? queries[q].shape : "", r.indexes[m.index].name, m.plan_node,
                      std::to_string(m.rows_matched),
                      fmt::format("{:.3f}", Ms(m.latency.Percentile(50))),
                      fmt::format("{:.3f}", Ms(m.latency.Percentile(95))),
                      fmt::format("{:.3f}", Ms(m.latency.Percentile(99))),
                      m.index == 0    ? ""
                      : !m.index_used ? "not used"
                                      : fmt::format("{:.1f}x", Speedup(r, m))});
    }
  }
  for (auto& line : core::AlignedTable(rows, {0, 1, 2})) lines.push_back(std::move(line));
  lines.emplace_back();
  size_t shape_width = 0;
  for (const auto& q : queries) shape_width = std::max(shape_width, q.shape.size());
  for (const auto& q : queries) {
    lines.push_back(fmt::format("{:<{}}  WHERE {}", q.shape, shape_width, q.predicate));
    if (!q.note.empty()) lines.push_back(fmt::format("{:<{}}  ({})", "", shape_width, q.note));
  }
  return lines;
}

nlohmann::json JsonbReportJson(const JsonbReport& r) {
  nlohmann::json indexes = nlohmann::json::array();
  for (const auto& ix : r.indexes) {
    indexes.push_back({{"name", ix.name},
                       {"definition", ix.definition},
                       {"build_ms", std::round(ix.build_ms * 10) / 10},
                       {"size_bytes", ix.size_bytes}});
  }
  nlohmann::json queries = nlohmann::json::array();
  const auto& qs = JsonbQueries();
  for (size_t q = 0; q < qs.size(); ++q) {
    nlohmann::json results = nlohmann::json::array();
    for (const auto& m : r.measurements) {
      if (m.query != q) continue;
      auto ms = [](uint64_t ns) { return std::round(Ms(ns) * 1000) / 1000; };
      results.push_back(
          {{"index", r.indexes[m.index].name},
           {"plan_node", m.plan_node},
           {"index_used", m.index_used},
           {"rows", m.rows_matched},
           {"runs", m.runs},
           {"latency_ms",
            {{"p50", ms(m.latency.Percentile(50))},
             {"p95", ms(m.latency.Percentile(95))},
             {"p99", ms(m.latency.Percentile(99))},
             {"max", ms(m.latency.max())}}},
           {"speedup",
            m.index_used ? nlohmann::json(std::round(Speedup(r, m) * 10) / 10) : nullptr},
           {"explain", m.explain}});
    }
    queries.push_back({{"id", qs[q].id},
                       {"shape", qs[q].shape},
                       {"where", qs[q].predicate},
                       {"note", qs[q].note},
                       {"results", std::move(results)}});
  }
  return {{"rows", r.rows},
          {"table_bytes", r.table_bytes},
          {"load_ms", std::round(r.load_ms)},
          {"log_statement", r.log_statement},
          {"indexes", std::move(indexes)},
          {"queries", std::move(queries)}};
}

}  // namespace pgstack::bench
