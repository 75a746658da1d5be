// Checks of constraints: ADD CONSTRAINT on an existing table (validated at once, or an index
// built under ACCESS EXCLUSIVE), VALIDATE CONSTRAINT, and SET NOT NULL, which scans the table
// unless a validated CHECK (col IS NOT NULL) already proves it.
#include <fmt/format.h>

#include "lint_checker.h"

namespace pgstack::migrate::internal {
namespace {

// The column a CHECK expression proves NOT NULL ("col IS NOT NULL"), "" otherwise.
std::string NotNullColumn(const nlohmann::json& expr) {
  const nlohmann::json& t = Body(expr, "NullTest");
  if (Str(t, "nulltesttype") != "IS_NOT_NULL") return "";
  std::string col;
  for (const nlohmann::json& f : List(Body(At(t, "arg"), "ColumnRef"), "fields")) {
    col = StringNode(f);
  }
  return col;
}

}  // namespace

void Checker::LearnTableChecks(const std::string& table, const json& b) {
  for (const json& e : List(b, "tableElts")) {
    const json& c = Body(e, "Constraint");
    if (Str(c, "contype") != "CONSTR_CHECK" || Flag(c, "skip_validation")) continue;
    std::string col = NotNullColumn(At(c, "raw_expr"));
    if (!col.empty()) validated_not_null_[table].insert(col);
  }
}

void Checker::AddConstraint(const std::string& table, const json& con) {
  std::string ct = Str(con, "contype");
  std::string name = Str(con, "conname");
  bool not_valid = Flag(con, "skip_validation");
  if (ct == "CONSTR_CHECK") {
    std::string col = NotNullColumn(At(con, "raw_expr"));
    if (!col.empty()) {
      if (!name.empty()) not_null_checks_[name] = {table, col};
      if (!not_valid) validated_not_null_[table].insert(col);
    }
  }
  if (IsNew(table)) return;
  std::string label = name.empty() ? "" : " " + name;
  if (ct == "CONSTR_FOREIGN" && !not_valid) {
    Emit(LintRuleId::kAddingForeignKeyConstraint,
         fmt::format("FOREIGN KEY{} on {} without NOT VALID", label, table));
    Slow(table, "this foreign key check");
  } else if (ct == "CONSTR_CHECK" && !not_valid) {
    Emit(LintRuleId::kConstraintMissingNotValid,
         fmt::format("CHECK{} on {} without NOT VALID", label, table));
    Slow(table, "this CHECK scan");
  } else if ((ct == "CONSTR_UNIQUE" || ct == "CONSTR_PRIMARY") && Str(con, "indexname").empty()) {
    Emit(LintRuleId::kDisallowedUniqueConstraint,
         fmt::format("{}{} on {} without USING INDEX",
                     ct == "CONSTR_UNIQUE" ? "UNIQUE" : "PRIMARY KEY", label, table));
    Slow(table, "this unique index build");
  } else if (ct == "CONSTR_EXCLUSION") {
    Emit(LintRuleId::kAddingExclusionConstraint, fmt::format("EXCLUDE{} on {}", label, table));
    Slow(table, "this exclusion index build");
  }
}

void Checker::ValidateConstraint(const std::string& table, const std::string& name) {
  // A constraint the files do not show may be a NOT NULL check: "*" lets SET NOT NULL pass.
  auto it = not_null_checks_.find(name);
  validated_not_null_[table].insert(it != not_null_checks_.end() ? it->second.second : "*");
  if (!IsNew(table)) Slow(table, "this VALIDATE CONSTRAINT scan");
}

void Checker::SetNotNull(const std::string& table, const std::string& column) {
  const auto& proven = validated_not_null_[table];
  if (!IsNew(table) && !proven.count(column) && !proven.count("*")) {
    Emit(LintRuleId::kSettingNotNull, fmt::format("SET NOT NULL on {}.{}", table, column));
    Slow(table, "this NOT NULL scan");
  }
}

}  // namespace pgstack::migrate::internal
