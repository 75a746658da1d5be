// EXPLAIN, read in one place and in one format: JSON, whose keys ("Node Type", "Index Name",
// "Plans", ...) are stable between releases where the text format is written for people.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pgstack/core/status.h"
#include "pgstack/pg/connection.h"

namespace pgstack::pg {

// A node of the plan that reads a relation.
struct PlanScan {
  std::string node_type;  // "Seq Scan", "Bitmap Index Scan", ...
  std::string relation;   // the table ("" for an index-only node such as Bitmap Index Scan)
  std::string index;      // the index, when the node uses one
  bool parallel = false;  // run by parallel workers
  // "Bitmap Index Scan on results_doc", "Parallel Seq Scan on results": what the planner chose.
  std::string Describe() const;
};

struct ExplainedPlan {
  std::vector<PlanScan> scans;  // every scan node, innermost first (children before parents)
  double execution_ms = 0;      // with ANALYZE: the server's execution time
  long long actual_rows = 0;    // with ANALYZE: rows the top node returned
  std::string json;             // the plan as the server wrote it, for reports
};

// Reads the output of EXPLAIN (FORMAT JSON); kFailure when it is not a plan.
Result<ExplainedPlan> ParseExplainJson(std::string_view text);

// EXPLAIN (FORMAT JSON) of sql on conn; with analyze, it runs (ANALYZE, TIMING OFF: the total
// time without the cost of timing every node).
Result<ExplainedPlan> Explain(Connection& conn, std::string_view sql, bool analyze);

}  // namespace pgstack::pg
