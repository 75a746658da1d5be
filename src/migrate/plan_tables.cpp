// A table that exists on both sides: its shape and its columns, each change in the form that
// keeps the table online where PostgreSQL has one.
#include <fmt/format.h>

#include <algorithm>
#include <regex>

#include "plan_builder.h"

namespace pgstack::migrate::internal {
namespace {

constexpr char kSep = '\x1f';

std::string Field(const std::string& shape, int n) {
  size_t begin = 0;
  for (int i = 0; i < n; ++i) begin = shape.find(kSep, begin) + 1;
  size_t end = shape.find(kSep, begin);
  return shape.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

std::string ColumnDef(const Column& c) {
  std::string out = c.name + " " + c.type;
  if (!c.collation.empty()) out += " COLLATE " + c.collation;
  if (!c.generated.empty()) out += " GENERATED ALWAYS AS (" + c.generated + ") STORED";
  if (!c.default_expr.empty()) out += " DEFAULT " + c.default_expr;
  if (!c.identity.empty()) out += " GENERATED " + c.identity + " AS IDENTITY " + c.identity_options;
  if (c.not_null) out += " NOT NULL";
  return out;
}

const Column* Named(const std::vector<Column>& cols, const std::string& name) {
  auto it = std::find_if(cols.begin(), cols.end(), [&](const Column& c) { return c.name == name; });
  return it == cols.end() ? nullptr : &*it;
}

enum class TypeChange { kNoRewrite, kRewrite, kNarrowing };

// How PostgreSQL 17 carries out ALTER COLUMN TYPE from `from` to `to`: without a rewrite
// (varchar widened, varchar to text, numeric unconstrained), with one, or losing data.
TypeChange ClassifyTypeChange(const std::string& from, const std::string& to) {
  static const std::regex kLimited(
      R"((character varying|character|numeric|bit varying)\((\d+)(?:,(\d+))?\))");
  static const std::map<std::string, int> kIntegerBytes{
      {"smallint", 2}, {"integer", 4}, {"bigint", 8}};
  auto fi = kIntegerBytes.find(from);
  auto ti = kIntegerBytes.find(to);
  if (fi != kIntegerBytes.end() && ti != kIntegerBytes.end()) {
    return ti->second < fi->second ? TypeChange::kNarrowing : TypeChange::kRewrite;
  }
  std::smatch f, t;
  bool fl = std::regex_match(from, f, kLimited);
  bool tl = std::regex_match(to, t, kLimited);
  if (fl && (to == "text" || to == f[1].str())) {
    return to == "numeric" && f[1] != "numeric" ? TypeChange::kRewrite : TypeChange::kNoRewrite;
  }
  if (fl && tl && f[1] == t[1]) {
    long fp = std::stol(f[2]), tp = std::stol(t[2]);
    long fs = f[3].matched ? std::stol(f[3]) : 0, ts = t[3].matched ? std::stol(t[3]) : 0;
    if (tp < fp || ts < fs) return TypeChange::kNarrowing;
    return fs == ts || f[1] != "numeric" ? TypeChange::kNoRewrite : TypeChange::kRewrite;
  }
  if (tl && (from == "text" || from == "character varying")) return TypeChange::kNarrowing;
  if (from == "character varying" && to == "text") return TypeChange::kNoRewrite;
  return TypeChange::kRewrite;
}

}  // namespace

char TablePersistence(const std::string& shape) { return shape.empty() ? 'p' : shape[0]; }

std::string TableOptions(const std::string& shape) { return Field(shape, 3); }

std::string TableStructure(const std::string& shape) {
  size_t last = shape.rfind(kSep);
  if (shape.empty() || last == std::string::npos) return shape;
  return shape.substr(1, last - 1);
}

void PlanBuilder::ChangeTable(const CatalogObject& from, const CatalogObject& to) {
  ChangeTableShape(from, to);
  // The server refuses a type change of a column a generated column reads: while any column
  // changes type, the generated columns are dropped first and added again last.
  bool retyped = std::any_of(from.columns.begin(), from.columns.end(), [&](const Column& c) {
    const Column* t = Named(to.columns, c.name);
    return t != nullptr && (t->type != c.type || t->collation != c.collation);
  });
  std::vector<const Column*> regenerated;
  for (const Column& c : from.columns) {
    const Column* t = Named(to.columns, c.name);
    if (t == nullptr || c.generated.empty() || t->generated.empty()) continue;
    if (!retyped && c.generated == t->generated) continue;
    main_.push_back(Sql(fmt::format("ALTER TABLE {} DROP COLUMN {};", to.identity, c.name)));
    regenerated.push_back(t);
  }
  for (const Column& c : to.columns) {
    if (Named(from.columns, c.name) == nullptr) AddColumn(to, c);
  }
  for (const Column& c : from.columns) {
    const Column* t = Named(to.columns, c.name);
    if (t != nullptr) {
      bool done = std::find(regenerated.begin(), regenerated.end(), t) != regenerated.end();
      if (!done && !(*t == c)) ChangeColumn(to, c, *t);
      continue;
    }
    PlanStatement st = Sql(fmt::format("ALTER TABLE {} DROP COLUMN {};", to.identity, c.name));
    main_.push_back(std::move(WithHazard(st, HazardKind::kDeletesData, to.identity + "." + c.name,
                                         "drops the column and its data" + LikelyRename(to, c))));
  }
  for (const Column* c : regenerated) {
    AddColumn(to, *c);
    Recomment("table column " + to.identity + "." + c->name);
  }
}

void PlanBuilder::ChangeTableShape(const CatalogObject& from, const CatalogObject& to) {
  if (TablePersistence(from.shape) != TablePersistence(to.shape)) {
    bool logged = TablePersistence(to.shape) == 'p';
    PlanStatement st =
        Sql(fmt::format("ALTER TABLE {} SET {};", to.identity, logged ? "LOGGED" : "UNLOGGED"));
    st.long_running = true;
    main_.push_back(std::move(WithHazard(st, HazardKind::kRewritesTable, to.identity,
                                         "SET LOGGED/UNLOGGED rewrites the table")));
  }
  std::string before = TableOptions(from.shape), after = TableOptions(to.shape);
  if (before == after) return;
  std::string reset;
  for (size_t at = 0; at < before.size();) {
    size_t end = before.find(", ", at);
    std::string opt = before.substr(at, end == std::string::npos ? std::string::npos : end - at);
    std::string key = opt.substr(0, opt.find('='));
    if (after.find(key + "=") == std::string::npos) reset += (reset.empty() ? "" : ", ") + key;
    at = end == std::string::npos ? before.size() : end + 2;
  }
  if (!reset.empty())
    main_.push_back(Sql(fmt::format("ALTER TABLE {} RESET ({});", to.identity, reset)));
  if (!after.empty())
    main_.push_back(Sql(fmt::format("ALTER TABLE {} SET ({});", to.identity, after)));
}

void PlanBuilder::AddColumn(const CatalogObject& table, const Column& c) {
  PlanStatement st =
      Sql(fmt::format("ALTER TABLE {} ADD COLUMN {};", table.identity, ColumnDef(c)));
  std::string object = table.identity + "." + c.name;
  if (!c.generated.empty() || !c.identity.empty()) {
    st.long_running = true;
    WithHazard(st, HazardKind::kRewritesTable, object,
               "a generated or identity column fills every existing row: the table is rewritten");
  } else if (c.not_null && c.default_expr.empty()) {
    WithHazard(st, HazardKind::kDependsOnData, object,
               "NOT NULL without a default fails if the table has rows: give the column a default");
  }
  main_.push_back(std::move(st));
}

void PlanBuilder::ChangeColumn(const CatalogObject& table, const Column& from, const Column& to) {
  std::string alter = fmt::format("ALTER TABLE {} ALTER COLUMN {}", table.identity, to.name);
  if (from.generated != to.generated) {
    PlanStatement drop =
        Sql(fmt::format("ALTER TABLE {} DROP COLUMN {};", table.identity, from.name));
    if (from.generated.empty()) {
      WithHazard(drop, HazardKind::kDeletesData, table.identity + "." + from.name,
                 "becomes a generated column: its values are dropped and computed again");
    }
    main_.push_back(std::move(drop));
    AddColumn(table, to);
    Recomment("table column " + table.identity + "." + to.name);
    return;
  }
  if (from.type != to.type || from.collation != to.collation) {
    ChangeColumnType(table, from, to);
  } else if (from.default_expr != to.default_expr) {
    main_.push_back(Sql(to.default_expr.empty()
                            ? alter + " DROP DEFAULT;"
                            : fmt::format("{} SET DEFAULT {};", alter, to.default_expr)));
  }
  bool adds_identity = from.identity.empty() && !to.identity.empty();
  if (!adds_identity) ChangeIdentity(table, from, to);
  if (!from.not_null && to.not_null) SetNotNull(table, to);
  if (from.not_null && !to.not_null) main_.push_back(Sql(alter + " DROP NOT NULL;"));
  if (adds_identity) ChangeIdentity(table, from, to);
}

void PlanBuilder::ChangeColumnType(const CatalogObject& table, const Column& from,
                                   const Column& to) {
  std::string key = table.identity + "." + to.name;
  std::string alter = fmt::format("ALTER TABLE {} ALTER COLUMN {}", table.identity, to.name);
  auto given = options_.using_exprs.find(key);
  std::string expr = given != options_.using_exprs.end() ? given->second : "";
  if (expr.empty() && from.type != to.type &&
      (!options_.can_cast || options_.can_cast(from.type, to.type))) {
    expr = fmt::format("{}::{}", from.name, to.type);
  }
  if (expr.empty() && from.type != to.type) {
    PlanStatement drop =
        Sql(fmt::format("ALTER TABLE {} DROP COLUMN {};", table.identity, from.name));
    main_.push_back(std::move(WithHazard(
        drop, HazardKind::kDeletesData, key,
        fmt::format("no cast from {} to {}: the column is dropped and added again (--using {}=EXPR "
                    "keeps its data)",
                    from.type, to.type, key))));
    AddColumn(table, to);
    Recomment("table column " + key);
    return;
  }
  if (!from.default_expr.empty()) main_.push_back(Sql(alter + " DROP DEFAULT;"));
  std::string sql = fmt::format("{} TYPE {}", alter, to.type);
  if (!to.collation.empty()) sql += " COLLATE " + to.collation;
  if (!expr.empty()) sql += " USING " + expr;
  PlanStatement st = Sql(sql + ";");
  st.long_running = true;
  TypeChange change =
      from.type == to.type ? TypeChange::kNoRewrite : ClassifyTypeChange(from.type, to.type);
  if (change == TypeChange::kNarrowing) {
    WithHazard(st, HazardKind::kDeletesData, key,
               fmt::format("{} to {} narrows the type: values that do not fit are lost or fail",
                           from.type, to.type));
  }
  if (change == TypeChange::kRewrite) {
    WithHazard(st, HazardKind::kRewritesTable, key,
               fmt::format("{} to {} rewrites the table under an ACCESS EXCLUSIVE lock", from.type,
                           to.type));
  } else if (from.type == to.type) {
    WithHazard(st, HazardKind::kBlocksWrites, key,
               "a new collation rebuilds the column's indexes under an ACCESS EXCLUSIVE lock");
  }
  if (from.type != to.type) {
    WithHazard(st, HazardKind::kDependsOnData, key, "the cast can fail on existing values");
  }
  main_.push_back(std::move(st));
  if (!to.default_expr.empty()) {
    main_.push_back(Sql(fmt::format("{} SET DEFAULT {};", alter, to.default_expr)));
  }
}

// SET NOT NULL scans the table under ACCESS EXCLUSIVE, unless a validated CHECK (col IS NOT
// NULL) already proves it: that check is added NOT VALID, validated (SHARE UPDATE EXCLUSIVE:
// writes go on), and dropped once SET NOT NULL has used it.
void PlanBuilder::SetNotNull(const CatalogObject& table, const Column& c) {
  std::string check = Derived(c.name, "_not_null");
  std::string object = table.identity + "." + c.name;
  main_.push_back(
      Sql(fmt::format("ALTER TABLE {} ADD CONSTRAINT {} CHECK ({} IS NOT NULL) NOT VALID;",
                      table.identity, check, c.name)));
  PlanStatement validate =
      Sql(fmt::format("ALTER TABLE {} VALIDATE CONSTRAINT {};", table.identity, check));
  validate.commit_before = true;
  validate.long_running = true;
  validate_.push_back(std::move(WithHazard(validate, HazardKind::kDependsOnData, object,
                                           "fails if a row holds NULL in the column")));
  PlanStatement set =
      Sql(fmt::format("ALTER TABLE {} ALTER COLUMN {} SET NOT NULL;", table.identity, c.name));
  set.commit_before = after_validate_.empty();
  after_validate_.push_back(std::move(set));
  after_validate_.push_back(
      Sql(fmt::format("ALTER TABLE {} DROP CONSTRAINT {};", table.identity, check)));
}

void PlanBuilder::ChangeIdentity(const CatalogObject& table, const Column& from, const Column& to) {
  std::string alter = fmt::format("ALTER TABLE {} ALTER COLUMN {}", table.identity, to.name);
  std::string object = table.identity + "." + to.name;
  if (from.identity == to.identity && from.identity_options == to.identity_options) return;
  if (to.identity.empty()) {
    PlanStatement st = Sql(alter + " DROP IDENTITY;");
    main_.push_back(std::move(WithHazard(st, HazardKind::kBreaksRunningCode, object,
                                         "inserts that leave the column out get NULL")));
    return;
  }
  if (from.identity.empty()) {
    PlanStatement st = Sql(fmt::format("{} ADD GENERATED {} AS IDENTITY {};", alter, to.identity,
                                       to.identity_options));
    st.commit_before = after_validate_.empty();
    after_validate_.push_back(std::move(WithHazard(
        st, HazardKind::kDependsOnData, object,
        "the identity starts at its START WITH value: existing values above it collide")));
    return;
  }
  if (from.identity != to.identity) {
    main_.push_back(Sql(fmt::format("{} SET GENERATED {};", alter, to.identity)));
  }
  if (from.identity_options == to.identity_options) return;
  // "(SEQUENCE NAME s INCREMENT BY 1 MINVALUE ...)": each option becomes a SET.
  static const std::regex kOptions(
      R"(\(SEQUENCE NAME (.+) INCREMENT BY (\S+) MINVALUE (\S+) MAXVALUE (\S+) START WITH (\S+) CACHE (\S+) (NO CYCLE|CYCLE)\))");
  std::smatch f, t;
  if (!std::regex_match(from.identity_options, f, kOptions) ||
      !std::regex_match(to.identity_options, t, kOptions)) {
    return;
  }
  if (f[1] != t[1]) {
    main_.push_back(Sql(fmt::format("ALTER SEQUENCE {} RENAME TO {};", f[1].str(),
                                    t[1].str().substr(t[1].str().find('.') + 1))));
  }
  main_.push_back(Sql(
      fmt::format("{} SET INCREMENT BY {} SET MINVALUE {} SET MAXVALUE {} SET START WITH {} SET "
                  "CACHE {} SET {};",
                  alter, t[2].str(), t[3].str(), t[4].str(), t[5].str(), t[6].str(), t[7].str())));
}

std::string PlanBuilder::LikelyRename(const CatalogObject& table, const Column& dropped) const {
  const CatalogObject* from = FromOf(table);
  for (const Column& c : table.columns) {
    if (c.type == dropped.type && from != nullptr && Named(from->columns, c.name) == nullptr) {
      return fmt::format(" (likely a rename to {}: --rename column:{}.{}={})", c.name,
                         table.identity, dropped.name, c.name);
    }
  }
  return "";
}

std::string PlanBuilder::LikelyTableRename(const CatalogObject& dropped) const {
  for (const CatalogObject& t : to_.objects) {
    if (t.kind != ObjectKind::kTable || FromOf(t) != nullptr ||
        t.columns.size() != dropped.columns.size()) {
      continue;
    }
    bool same = std::all_of(t.columns.begin(), t.columns.end(), [&](const Column& c) {
      const Column* d = Named(dropped.columns, c.name);
      return d != nullptr && d->type == c.type;
    });
    if (same) {
      return fmt::format(" (likely a rename to {}: --rename table:{}={})", t.identity,
                         dropped.identity, t.identity);
    }
  }
  return "";
}

}  // namespace pgstack::migrate::internal
