// Checks of statements that work on a table's rows as a whole: VACUUM FULL, CLUSTER and TRUNCATE
// ... CASCADE (each rewrites or empties tables under ACCESS EXCLUSIVE), and UPDATE, DELETE and
// INSERT, which are slow work on a table the transaction may hold locked.
#include <fmt/format.h>

#include "lint_checker.h"

namespace pgstack::migrate::internal {

void Checker::Vacuum(const json& b) {
  bool full = false;
  for (const json& o : List(b, "options")) {
    full = full || Str(Body(o, "DefElem"), "defname") == "full";
  }
  if (!full || !Flag(b, "is_vacuumcmd")) return;
  std::string tables;
  bool any_old = List(b, "rels").empty();
  for (const json& r : List(b, "rels")) {
    std::string t = Str(At(Body(r, "VacuumRelation"), "relation"), "relname");
    any_old = any_old || !IsNew(t);
    tables += (tables.empty() ? "" : ", ") + t;
  }
  if (any_old) {
    Emit(LintRuleId::kVacuumFull, "VACUUM FULL " + (tables.empty() ? "(every table)" : tables));
  }
}

void Checker::Cluster(const json& b) {
  std::string table = Str(At(b, "relation"), "relname");
  if (table.empty() || !IsNew(table)) {
    Emit(LintRuleId::kCluster, "CLUSTER " + (table.empty() ? "(every clustered table)" : table));
  }
}

void Checker::Truncate(const json& b) {
  if (Str(b, "behavior") != "DROP_CASCADE") return;
  std::string tables;
  for (const json& r : List(b, "relations")) {
    tables += (tables.empty() ? "" : ", ") + Str(Body(r, "RangeVar"), "relname");
  }
  Emit(LintRuleId::kTruncateCascade, "TRUNCATE " + tables + " CASCADE");
}

void Checker::ChangeRows(std::string_view verb, const json& b) {
  std::string table = Str(At(b, "relation"), "relname");
  if (!IsNew(table)) Slow(table, fmt::format("this {} on {}", verb, table));
}

}  // namespace pgstack::migrate::internal
