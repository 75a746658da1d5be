// `pgstack bench jsonb`: what the GIN index buys for the plan's JSONB query shapes. It fills a
// scratch table with test-result documents (documents.h), then runs each query shape with no
// index, with GIN jsonb_ops and with GIN jsonb_path_ops, reporting latency percentiles, the plan
// node the planner chose (and the whole plan, as EXPLAIN (FORMAT JSON) gives it), index build time
// and size. The scratch schema is dropped at the end, also after a failure.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pgstack/bench/histogram.h"
#include "pgstack/bench/pool_bench.h"
#include "pgstack/core/status.h"
#include "pgstack/location/endpoints.h"

namespace pgstack::bench {

struct JsonbOptions {
  long long rows = 100000;
  int runs = 20;  // timed executions per query and index (fewer when a query is slow)
};
Result<JsonbOptions> ParseJsonbFlags(long long rows, int runs);

// A query shape of the plan. `predicate` is the WHERE clause over column doc.
struct JsonbQuery {
  std::string id;
  std::string shape;
  std::string predicate;
  std::string note;  // what serves it when no GIN index can
};
const std::vector<JsonbQuery>& JsonbQueries();

struct JsonbIndex {
  std::string name;        // "none", "gin jsonb_ops", "gin jsonb_path_ops"
  std::string definition;  // "" for none
  double build_ms = 0;
  long long size_bytes = 0;
};

struct JsonbMeasurement {
  size_t query = 0;  // index into JsonbQueries()
  size_t index = 0;  // index into JsonbReport::indexes
  long long rows_matched = 0;
  int runs = 0;
  Histogram latency;
  std::string plan_node;  // the scan that reads the table, e.g. "Bitmap Index Scan on ..."
  bool index_used = false;
  std::string explain;  // EXPLAIN (FORMAT JSON)'s output
};

struct JsonbReport {
  long long rows = 0;
  long long table_bytes = 0;
  double load_ms = 0;
  std::string log_statement;
  std::vector<JsonbIndex> indexes;
  std::vector<JsonbMeasurement> measurements;
};

Result<JsonbReport> RunJsonbBench(const location::Endpoints& endpoints, const JsonbOptions& options,
                                  const BenchHooks& hooks);

std::vector<std::string> JsonbTable(const JsonbReport& report);
nlohmann::json JsonbReportJson(const JsonbReport& report);

}  // namespace pgstack::bench
