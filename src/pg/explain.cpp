#include "pgstack/pg/explain.h"

#include <nlohmann/json.hpp>

namespace pgstack::pg {
namespace {

void CollectScans(const nlohmann::json& node, std::vector<PlanScan>* out) {
  if (auto children = node.find("Plans"); children != node.end() && children->is_array()) {
    for (const auto& child : *children) CollectScans(child, out);
  }
  std::string type = node.value("Node Type", "");
  if (type.find("Scan") == std::string::npos) return;
  out->push_back({type, node.value("Relation Name", ""), node.value("Index Name", ""),
                  node.value("Parallel Aware", false)});
}

}  // namespace

std::string PlanScan::Describe() const {
  const std::string& target = index.empty() ? relation : index;
  std::string node = (parallel ? "Parallel " : "") + node_type;
  return target.empty() ? node : node + " on " + target;
}

Result<ExplainedPlan> ParseExplainJson(std::string_view text) {
  auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_array() || doc.empty() || !doc[0].is_object() || !doc[0].contains("Plan") ||
      !doc[0]["Plan"].is_object()) {
    return Status::Failure("EXPLAIN returned no plan");
  }
  const nlohmann::json& top = doc[0];
  ExplainedPlan out;
  out.execution_ms = top.value("Execution Time", 0.0);
  out.actual_rows = top["Plan"].value("Actual Rows", 0LL);
  CollectScans(top["Plan"], &out.scans);
  out.json = std::string(text);
  return out;
}

Result<ExplainedPlan> Explain(Connection& conn, std::string_view sql, bool analyze) {
  std::string explain =
      analyze ? "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " : "EXPLAIN (FORMAT JSON) ";
  PGSTACK_ASSIGN_OR_RETURN(QueryResult r, conn.Exec(explain + std::string(sql)));
  return ParseExplainJson(r.scalar());
}

}  // namespace pgstack::pg
