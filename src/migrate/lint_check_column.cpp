// Checks of columns: the style of a column being defined (CREATE TABLE, ADD COLUMN), ADD COLUMN on
// an existing table (rewrites, scans, a NOT NULL that fails), and ALTER COLUMN TYPE (a rewrite
// unless the old type is known and binary-compatible).
#include <fmt/format.h>

#include "lint_checker.h"

namespace pgstack::migrate::internal {
namespace {

// Whether changing a column from `from` to `to` needs neither a rewrite nor a scan.
bool BinaryCompatible(const ColumnType& from, const ColumnType& to) {
  auto text_like = [](const ColumnType& t) { return t.name == "text" || t.name == "varchar"; };
  if (text_like(from) && to.name == "text") return true;
  if (text_like(from) && to.name == "varchar") {
    return to.mods.empty() ||
           (from.name == "varchar" && !from.mods.empty() && to.mods[0] >= from.mods[0]);
  }
  if (from.name == "numeric" && to.name == "numeric") {
    if (to.mods.empty()) return true;
    if (from.mods.empty()) return false;
    long fs = from.mods.size() > 1 ? from.mods[1] : 0, ts = to.mods.size() > 1 ? to.mods[1] : 0;
    return fs == ts && to.mods[0] >= from.mods[0];
  }
  if (from.name == to.name && (from.name == "varbit" || from.name == "bit")) {
    return to.mods.empty() || (!from.mods.empty() && to.mods[0] >= from.mods[0]);
  }
  return from.name == "cidr" && to.name == "inet";
}

bool ContainsVolatileCall(const nlohmann::json& j) {
  static const std::set<std::string> kVolatile = {
      "random",           "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v1mc",
      "uuid_generate_v4", "clock_timestamp", "timeofday",        "nextval",
      "txid_current",     "setseed",         "random_normal",    "gen_random_bytes"};
  if (j.is_object()) {
    auto call = j.find("FuncCall");
    if (call != j.end()) {
      std::string name;
      for (const nlohmann::json& n : List(*call, "funcname")) name = StringNode(n);
      if (kVolatile.count(name)) return true;
    }
    for (const auto& [k, v] : j.items()) {
      if (ContainsVolatileCall(v)) return true;
    }
  } else if (j.is_array()) {
    for (const nlohmann::json& v : j) {
      if (ContainsVolatileCall(v)) return true;
    }
  }
  return false;
}

}  // namespace

void Checker::ColumnStyle(const std::string& table, const json& col, bool table_key) {
  std::string name = Str(col, "colname");
  ColumnType t = TypeOf(At(col, "typeName"));
  columns_[table][name] = t;
  bool key = table_key || IsKeyColumnName(name);
  for (const json& c : List(col, "constraints")) {
    std::string ct = Str(Body(c, "Constraint"), "contype");
    key = key || ct == "CONSTR_PRIMARY" || ct == "CONSTR_FOREIGN" || ct == "CONSTR_IDENTITY";
  }
  if (IsSerial(t)) {
    Emit(LintRuleId::kPreferIdentity, fmt::format("column {}.{} is {}", table, name, t.name));
  } else if (key && (t.name == "int4" || t.name == "int2")) {
    Emit(LintRuleId::kPreferBigintOverInt, fmt::format("key column {}.{} is {}", table, name,
                                                       t.name == "int4" ? "integer" : "smallint"));
  }
  if (t.name == "timestamp") {
    Emit(LintRuleId::kPreferTimestamptz,
         fmt::format("column {}.{} is timestamp without time zone", table, name));
  }
  if ((t.name == "varchar" || t.name == "bpchar") && !t.mods.empty()) {
    Emit(LintRuleId::kPreferTextField, fmt::format("column {}.{} is {}", table, name, t.Text()));
  }
}

void Checker::AddColumn(const std::string& table, const json& col) {
  ColumnStyle(table, col, false);
  if (IsNew(table)) return;
  std::string name = Str(col, "colname");
  ColumnType t = TypeOf(At(col, "typeName"));
  std::string what = fmt::format("ADD COLUMN {}.{}", table, name);
  bool not_null = false, has_default = false, fills = IsSerial(t);
  for (const json& c : List(col, "constraints")) {
    const json& con = Body(c, "Constraint");
    std::string ct = Str(con, "contype");
    not_null = not_null || ct == "CONSTR_NOTNULL";
    has_default = has_default || ct == "CONSTR_DEFAULT";
    fills = fills || ct == "CONSTR_IDENTITY" || ct == "CONSTR_GENERATED";
    AddColumnConstraint(table, what, con);
  }
  if (IsSerial(t)) {
    Emit(LintRuleId::kAddingSerialColumn, fmt::format("{} {}", what, t.name));
    Rewrite(table);
  }
  if (not_null && !has_default && !fills) {
    Emit(LintRuleId::kAddingRequiredField, what + " NOT NULL without a DEFAULT");
  }
}

void Checker::AddColumnConstraint(const std::string& table, const std::string& what,
                                  const json& con) {
  std::string ct = Str(con, "contype");
  if (ct == "CONSTR_DEFAULT" && ContainsVolatileCall(At(con, "raw_expr"))) {
    Emit(LintRuleId::kAddingFieldWithVolatileDefault, what + " with a volatile default");
    Rewrite(table);
  } else if (ct == "CONSTR_IDENTITY") {
    Emit(LintRuleId::kAddingSerialColumn, what + " GENERATED AS IDENTITY");
    Rewrite(table);
  } else if (ct == "CONSTR_GENERATED") {
    Emit(LintRuleId::kAddingStoredGeneratedColumn, what + " GENERATED ALWAYS AS (...) STORED");
    Rewrite(table);
  } else if (ct == "CONSTR_FOREIGN") {
    Emit(LintRuleId::kAddingForeignKeyConstraint, what + " REFERENCES (validated at once)");
    Slow(table, "this foreign key check");
  } else if (ct == "CONSTR_CHECK") {
    Emit(LintRuleId::kConstraintMissingNotValid, what + " with a CHECK (validated at once)");
    Slow(table, "this CHECK scan");
  } else if (ct == "CONSTR_PRIMARY" || ct == "CONSTR_UNIQUE") {
    Emit(LintRuleId::kDisallowedUniqueConstraint,
         fmt::format("{} {}", what, ct == "CONSTR_PRIMARY" ? "PRIMARY KEY" : "UNIQUE"));
    Slow(table, "this unique index build");
  }
}

void Checker::AlterColumnType(const std::string& table, const std::string& column,
                              const json& def) {
  ColumnType to = TypeOf(At(def, "typeName"));
  auto known = columns_.find(table);
  const ColumnType* from = nullptr;
  if (known != columns_.end() && known->second.count(column)) from = &known->second[column];
  bool has_using = !At(def, "raw_default").is_null();
  if (!IsNew(table)) {
    // Catalog-only when the old type is known and binary-compatible; said otherwise.
    if (!from || has_using || !BinaryCompatible(*from, to)) {
      Emit(LintRuleId::kChangingColumnType,
           fmt::format("ALTER COLUMN {}.{} TYPE {}{}", table, column, to.Text(),
                       from ? " (from " + from->Text() + ")"
                            : " (its old type is in none of the files linted; lint --trace "
                              "shows whether it rewrites)"));
      Rewrite(table);
    }
    if ((to.name == "int4" || to.name == "int2") && IsKeyColumnName(column)) {
      Emit(LintRuleId::kPreferBigintOverInt,
           fmt::format("key column {}.{} becomes {}", table, column,
                       to.name == "int4" ? "integer" : "smallint"));
    }
  }
  columns_[table][column] = to;
}

}  // namespace pgstack::migrate::internal
