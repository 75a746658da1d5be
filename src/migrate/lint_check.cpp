// The static checker: walks each statement's parse tree with what the run has done so far
// (tables created, column types, validated NOT NULL checks, locks this transaction holds) and
// emits findings by rule id (lint_rules.cpp says what each means).
#include <fmt/format.h>

#include <map>
#include <set>

#include "lint_parse.h"
#include "pgstack/migrate/lint.h"

namespace pgstack::migrate {
namespace {

using nlohmann::json;

const json kNothing;

const json& At(const json& j, std::string_view key) {
  if (!j.is_object()) return kNothing;
  auto it = j.find(key);
  return it == j.end() ? kNothing : *it;
}
std::string Str(const json& j, std::string_view key) {
  const json& v = At(j, key);
  return v.is_string() ? v.get<std::string>() : "";
}
bool Flag(const json& j, std::string_view key) {
  const json& v = At(j, key);
  return v.is_boolean() && v.get<bool>();
}
// The one node inside a wrapper {"Kind": {...}}: its kind and body.
std::pair<std::string, const json*> Node(const json& j) {
  if (!j.is_object() || j.size() != 1) return {"", &kNothing};
  return {j.begin().key(), &j.begin().value()};
}
const json& Body(const json& j, std::string_view kind) {
  auto [k, body] = Node(j);
  return k == kind ? *body : kNothing;
}
// Items of a JSON array field (empty when absent).
const json& List(const json& j, std::string_view key) {
  static const json kEmpty = json::array();
  const json& v = At(j, key);
  return v.is_array() ? v : kEmpty;
}
std::string StringNode(const json& j) { return Str(Body(j, "String"), "sval"); }

struct Type {
  std::string name;  // last part of the name: int4, varchar, text, serial, ...
  std::vector<long> mods;
  std::string Text() const {
    std::string out = name;
    for (size_t i = 0; i < mods.size(); ++i) out += fmt::format("{}{}", i ? "," : "(", mods[i]);
    return mods.empty() ? out : out + ")";
  }
};

Type TypeOf(const json& type_name) {
  Type t;
  for (const json& n : List(type_name, "names")) t.name = StringNode(n);
  for (const json& m : List(type_name, "typmods")) {
    const json& c = Body(m, "A_Const");
    t.mods.push_back(At(At(c, "ival"), "ival").is_number() ? At(At(c, "ival"), "ival").get<long>()
                                                           : 0);
  }
  return t;
}

bool IsSerial(const Type& t) {
  return t.name == "serial" || t.name == "bigserial" || t.name == "smallserial" ||
         t.name == "serial4" || t.name == "serial8" || t.name == "serial2";
}

// Whether changing a column from `from` to `to` needs neither a rewrite nor a scan.
bool BinaryCompatible(const Type& from, const Type& to) {
  auto text_like = [](const Type& t) { return t.name == "text" || t.name == "varchar"; };
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

bool ContainsVolatileCall(const json& j) {
  static const std::set<std::string> kVolatile = {
      "random",           "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v1mc",
      "uuid_generate_v4", "clock_timestamp", "timeofday",        "nextval",
      "txid_current",     "setseed",         "random_normal",    "gen_random_bytes"};
  if (j.is_object()) {
    auto call = j.find("FuncCall");
    if (call != j.end()) {
      std::string name;
      for (const json& n : List(*call, "funcname")) name = StringNode(n);
      if (kVolatile.count(name)) return true;
    }
    for (const auto& [k, v] : j.items()) {
      if (ContainsVolatileCall(v)) return true;
    }
  } else if (j.is_array()) {
    for (const json& v : j) {
      if (ContainsVolatileCall(v)) return true;
    }
  }
  return false;
}

// The column a CHECK expression proves NOT NULL ("col IS NOT NULL"), "" otherwise.
std::string NotNullColumn(const json& expr) {
  const json& t = Body(expr, "NullTest");
  if (Str(t, "nulltesttype") != "IS_NOT_NULL") return "";
  std::string col;
  for (const json& f : List(Body(At(t, "arg"), "ColumnRef"), "fields")) col = StringNode(f);
  return col;
}

bool IsKeyColumnName(const std::string& name) {
  return name == "id" || (name.size() > 3 && name.compare(name.size() - 3, 3, "_id") == 0);
}

// The comment lines right above a statement: `-- pgstack:lint-ignore RULE[,RULE] reason`
// silences RULE there.
std::set<std::string> IgnoredAt(std::string_view sql, size_t offset) {
  std::set<std::string> out;
  size_t nl = offset == 0 ? std::string_view::npos : sql.rfind('\n', offset - 1);
  size_t line_start = nl == std::string_view::npos ? 0 : nl + 1;
  while (line_start > 0) {
    size_t prev_end = line_start - 1;  // the '\n' that ends the line above
    size_t p = prev_end == 0 ? std::string_view::npos : sql.rfind('\n', prev_end - 1);
    size_t prev_start = p == std::string_view::npos ? 0 : p + 1;
    std::string_view line = sql.substr(prev_start, prev_end - prev_start);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.substr(0, 2) != "--") break;
    constexpr std::string_view kMark = "pgstack:lint-ignore";
    if (size_t m = line.find(kMark); m != std::string_view::npos) {
      std::string_view rest = line.substr(m + kMark.size());
      while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
      std::string_view rules = rest.substr(0, rest.find_first_of(" \t\r"));
      while (!rules.empty()) {
        size_t comma = rules.find(',');
        out.insert(std::string(rules.substr(0, comma)));
        rules = comma == std::string_view::npos ? "" : rules.substr(comma + 1);
      }
    }
    line_start = prev_start;
  }
  return out;
}

class Checker {
 public:
  Checker(const LintOptions& options, LintReport& report) : options_(options), report_(report) {}

  // Reads a migration that already ran: what it creates is not new, and nothing is reported.
  void Learn(const Migration& m) {
    emit_ = false;
    Walk(m);
  }
  void Check(const Migration& m) {
    emit_ = true;
    Walk(m);
  }

 private:
  void Walk(const Migration& m) {
    text_ = &m.up;
    bool statements_mode = m.UpMode() == RunMode::kStatements;
    held_.clear();
    if (emit_ && m.up_options.lock_timeout_ms && *m.up_options.lock_timeout_ms == 0) {
      stmt_ = nullptr;
      EmitAt(m.up.first_line > 1 ? m.up.first_line - 1 : 1, 1, "lock-timeout-disabled",
             "the directive lock-timeout=0 turns pgstack's lock_timeout off for this migration");
    }
    if (emit_ && m.up.had_own_transaction && m.up.NeedsNoTransaction()) {
      for (const Statement& st : m.up.statements) {
        if (st.kind != StatementKind::kNoTransaction) continue;
        stmt_ = &st;
        Emit("concurrently-in-transaction",
             fmt::format("{} cannot run inside the file's BEGIN ... COMMIT", st.keyword));
      }
    }
    for (const Statement& st : m.up.statements) {
      stmt_ = &st;
      bare_ = st.kind == StatementKind::kNoTransaction;
      if (statements_mode) held_.clear();
      if (st.copy_from_stdin) continue;  // data, not schema: nothing to lint
      std::string_view sql = std::string_view(m.up.sql).substr(st.begin, st.end - st.begin);
      auto parsed = internal::ParseStatement(sql);
      if (!parsed.ok) {
        NotParsed(sql, parsed.error);
        continue;
      }
      Statement1(parsed.stmt);
    }
  }

  bool IsNew(const std::string& table) const { return new_tables_.count(table) > 0; }

  // A statement the grammar (PostgreSQL 15's) rejects: PostgreSQL 17 rejects it too, unless it
  // uses syntax that 16 or 17 added, which is only said (no rule checked it).
  void NotParsed(std::string_view sql, const std::string& error) {
    std::string newer = internal::NewerSyntax(sql);
    if (newer.empty()) {
      Emit("syntax-error", "PostgreSQL's grammar says: " + error);
    } else {
      Emit("not-parsed", fmt::format("not checked: it uses {} (PostgreSQL 16 or 17 syntax), which "
                                     "the linter's PostgreSQL {} grammar does not know ({})",
                                     newer, internal::GrammarVersion(), error));
    }
  }

  void Statement1(const json& stmt) {
    auto [kind, body] = Node(stmt);
    const json& b = *body;
    if (kind == "CreateStmt") return CreateTable(b);
    if (kind == "IndexStmt") return CreateIndex(b);
    if (kind == "DropStmt") return Drop(b);
    if (kind == "ReindexStmt") return Reindex(b);
    if (kind == "AlterTableStmt") return AlterTable(b);
    if (kind == "RenameStmt") return Rename(b);
    if (kind == "VacuumStmt") return Vacuum(b);
    if (kind == "ClusterStmt") return Cluster(b);
    if (kind == "TruncateStmt") return Truncate(b);
    if (kind == "VariableSetStmt") return Set(b);
    if (kind == "UpdateStmt" || kind == "DeleteStmt" || kind == "InsertStmt") {
      std::string table = Str(At(b, "relation"), "relname");
      if (!IsNew(table))
        Slow(table, fmt::format("this {} on {}",
                                kind == "UpdateStmt"   ? "UPDATE"
                                : kind == "DeleteStmt" ? "DELETE"
                                                       : "INSERT",
                                table));
    }
    if (kind == "CreateTableAsStmt") {
      new_tables_.insert(Str(At(At(b, "into"), "rel"), "relname"));
    }
  }

  // Style rules for a column being defined (CREATE TABLE or ADD COLUMN).
  void ColumnStyle(const std::string& table, const json& col, bool table_key) {
    std::string name = Str(col, "colname");
    Type t = TypeOf(At(col, "typeName"));
    columns_[table][name] = t;
    bool key = table_key || IsKeyColumnName(name);
    for (const json& c : List(col, "constraints")) {
      std::string ct = Str(Body(c, "Constraint"), "contype");
      key = key || ct == "CONSTR_PRIMARY" || ct == "CONSTR_FOREIGN" || ct == "CONSTR_IDENTITY";
    }
    if (IsSerial(t)) {
      Emit("prefer-identity", fmt::format("column {}.{} is {}", table, name, t.name));
    } else if (key && (t.name == "int4" || t.name == "int2")) {
      Emit("prefer-bigint-over-int", fmt::format("key column {}.{} is {}", table, name,
                                                 t.name == "int4" ? "integer" : "smallint"));
    }
    if (t.name == "timestamp") {
      Emit("prefer-timestamptz",
           fmt::format("column {}.{} is timestamp without time zone", table, name));
    }
    if ((t.name == "varchar" || t.name == "bpchar") && !t.mods.empty()) {
      Emit("prefer-text-field", fmt::format("column {}.{} is {}", table, name, t.Text()));
    }
  }

  void CreateTable(const json& b) {
    std::string table = Str(At(b, "relation"), "relname");
    if (emit_) new_tables_.insert(table);
    std::set<std::string> keys;
    for (const json& e : List(b, "tableElts")) {
      const json& c = Body(e, "Constraint");
      std::string ct = Str(c, "contype");
      if (ct == "CONSTR_PRIMARY" || ct == "CONSTR_FOREIGN") {
        for (const json& k : List(c, ct == "CONSTR_PRIMARY" ? "keys" : "fk_attrs")) {
          keys.insert(StringNode(k));
        }
      }
      if (ct == "CONSTR_CHECK" && !Flag(c, "skip_validation")) {
        std::string col = NotNullColumn(At(c, "raw_expr"));
        if (!col.empty()) validated_not_null_[table].insert(col);
      }
    }
    for (const json& e : List(b, "tableElts")) {
      const json& col = Body(e, "ColumnDef");
      if (!col.is_null()) ColumnStyle(table, col, keys.count(Str(col, "colname")) > 0);
    }
  }

  void CreateIndex(const json& b) {
    std::string table = Str(At(b, "relation"), "relname");
    std::string index = Str(b, "idxname");
    if (!index.empty()) index_table_[index] = table;
    if (IsNew(table)) return;
    if (!Flag(b, "concurrent")) {
      Emit("require-concurrent-index-creation",
           fmt::format("CREATE INDEX {}on {} without CONCURRENTLY",
                       index.empty() ? "" : index + " ", table));
      Slow(table, "this index build");
    }
  }

  void Drop(const json& b) {
    std::string what = Str(b, "removeType");
    for (const json& obj : List(b, "objects")) {
      std::string name;
      for (const json& part : List(Body(obj, "List"), "items")) name = StringNode(part);
      if (what == "OBJECT_TABLE") {
        if (!IsNew(name)) {
          Emit("dropping-table", fmt::format("DROP TABLE {}", name));
          Hold(name, "ACCESS EXCLUSIVE");
        }
      } else if (what == "OBJECT_INDEX") {
        auto it = index_table_.find(name);
        bool on_new = it != index_table_.end() && IsNew(it->second);
        if (on_new) continue;
        if (!Flag(b, "concurrent")) {
          Emit("require-concurrent-index-deletion",
               fmt::format("DROP INDEX {} without CONCURRENTLY", name));
        } else if (bare_ && !Flag(b, "missing_ok")) {
          Emit("non-idempotent-resume",
               fmt::format("DROP INDEX CONCURRENTLY {} without IF EXISTS", name));
        }
      }
    }
  }

  void Reindex(const json& b) {
    bool concurrent = false;
    for (const json& p : List(b, "params")) {
      concurrent = concurrent || Str(Body(p, "DefElem"), "defname") == "concurrently";
    }
    std::string name = Str(At(b, "relation"), "relname");
    std::string kind = Str(b, "kind");
    std::string table =
        kind == "REINDEX_OBJECT_INDEX" && index_table_.count(name) ? index_table_[name] : name;
    if (concurrent || (!table.empty() && IsNew(table))) return;
    if (kind == "REINDEX_OBJECT_INDEX" || kind == "REINDEX_OBJECT_TABLE") {
      Emit("require-concurrent-reindex", fmt::format("REINDEX {} without CONCURRENTLY", name));
    }
  }

  void AddColumn(const std::string& table, const json& col) {
    ColumnStyle(table, col, false);
    if (IsNew(table)) return;
    std::string name = Str(col, "colname");
    Type t = TypeOf(At(col, "typeName"));
    bool not_null = false, has_default = false, fills = IsSerial(t);
    for (const json& c : List(col, "constraints")) {
      const json& con = Body(c, "Constraint");
      std::string ct = Str(con, "contype");
      std::string what = fmt::format("ADD COLUMN {}.{}", table, name);
      if (ct == "CONSTR_NOTNULL") not_null = true;
      if (ct == "CONSTR_DEFAULT") {
        has_default = true;
        if (ContainsVolatileCall(At(con, "raw_expr"))) {
          Emit("adding-field-with-volatile-default", what + " with a volatile default");
          Rewrite(table);
        }
      }
      if (ct == "CONSTR_IDENTITY") {
        fills = true;
        Emit("adding-serial-column", what + " GENERATED AS IDENTITY");
        Rewrite(table);
      }
      if (ct == "CONSTR_GENERATED") {
        fills = true;
        Emit("adding-stored-generated-column", what + " GENERATED ALWAYS AS (...) STORED");
        Rewrite(table);
      }
      if (ct == "CONSTR_FOREIGN") {
        Emit("adding-foreign-key-constraint", what + " REFERENCES (validated at once)");
        Slow(table, "this foreign key check");
      }
      if (ct == "CONSTR_CHECK") {
        Emit("constraint-missing-not-valid", what + " with a CHECK (validated at once)");
        Slow(table, "this CHECK scan");
      }
      if (ct == "CONSTR_PRIMARY" || ct == "CONSTR_UNIQUE") {
        Emit("disallowed-unique-constraint",
             fmt::format("{} {}", what, ct == "CONSTR_PRIMARY" ? "PRIMARY KEY" : "UNIQUE"));
        Slow(table, "this unique index build");
      }
    }
    if (IsSerial(t)) {
      Emit("adding-serial-column", fmt::format("ADD COLUMN {}.{} {}", table, name, t.name));
      Rewrite(table);
    }
    if (not_null && !has_default && !fills) {
      Emit("adding-required-field",
           fmt::format("ADD COLUMN {}.{} NOT NULL without a DEFAULT", table, name));
    }
  }

  void AddConstraint(const std::string& table, const json& con) {
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
      Emit("adding-foreign-key-constraint",
           fmt::format("FOREIGN KEY{} on {} without NOT VALID", label, table));
      Slow(table, "this foreign key check");
    } else if (ct == "CONSTR_CHECK" && !not_valid) {
      Emit("constraint-missing-not-valid",
           fmt::format("CHECK{} on {} without NOT VALID", label, table));
      Slow(table, "this CHECK scan");
    } else if ((ct == "CONSTR_UNIQUE" || ct == "CONSTR_PRIMARY") && Str(con, "indexname").empty()) {
      Emit("disallowed-unique-constraint",
           fmt::format("{}{} on {} without USING INDEX",
                       ct == "CONSTR_UNIQUE" ? "UNIQUE" : "PRIMARY KEY", label, table));
      Slow(table, "this unique index build");
    } else if (ct == "CONSTR_EXCLUSION") {
      Emit("adding-exclusion-constraint", fmt::format("EXCLUDE{} on {}", label, table));
      Slow(table, "this exclusion index build");
    }
  }

  void AlterColumnType(const std::string& table, const std::string& column, const json& def) {
    Type to = TypeOf(At(def, "typeName"));
    auto known = columns_.find(table);
    const Type* from = nullptr;
    if (known != columns_.end() && known->second.count(column)) from = &known->second[column];
    bool has_using = !At(def, "raw_default").is_null();
    if (!IsNew(table)) {
      // Catalog-only when the old type is known and binary-compatible; said otherwise.
      if (!from || has_using || !BinaryCompatible(*from, to)) {
        Emit("changing-column-type",
             fmt::format("ALTER COLUMN {}.{} TYPE {}{}", table, column, to.Text(),
                         from ? " (from " + from->Text() + ")"
                              : " (its old type is in none of the files linted; lint --trace "
                                "shows whether it rewrites)"));
        Rewrite(table);
      }
      if (to.name == "int4" || to.name == "int2") {
        if (IsKeyColumnName(column)) {
          Emit("prefer-bigint-over-int", fmt::format("key column {}.{} becomes {}", table, column,
                                                     to.name == "int4" ? "integer" : "smallint"));
        }
      }
    }
    columns_[table][column] = to;
  }

  void AlterTable(const json& b) {
    std::string table = Str(At(b, "relation"), "relname");
    if (Str(b, "objtype") != "OBJECT_TABLE") return;
    bool strong = false;
    for (const json& c : List(b, "cmds")) {
      const json& cmd = Body(c, "AlterTableCmd");
      std::string sub = Str(cmd, "subtype");
      std::string column = Str(cmd, "name");
      const json& def = At(cmd, "def");
      if (sub == "AT_AddColumn") {
        AddColumn(table, Body(def, "ColumnDef"));
      } else if (sub == "AT_AddConstraint") {
        AddConstraint(table, Body(def, "Constraint"));
      } else if (sub == "AT_ValidateConstraint") {
        auto it = not_null_checks_.find(column);
        validated_not_null_[table].insert(it != not_null_checks_.end() ? it->second.second : "*");
        if (!IsNew(table)) Slow(table, "this VALIDATE CONSTRAINT scan");
        continue;  // SHARE UPDATE EXCLUSIVE: not a strong lock
      } else if (sub == "AT_SetNotNull") {
        const auto& proven = validated_not_null_[table];
        if (!IsNew(table) && !proven.count(column) && !proven.count("*")) {
          Emit("setting-not-null", fmt::format("SET NOT NULL on {}.{}", table, column));
          Slow(table, "this NOT NULL scan");
        }
      } else if (sub == "AT_AlterColumnType") {
        AlterColumnType(table, column, Body(def, "ColumnDef"));
      } else if (sub == "AT_DropColumn") {
        if (!IsNew(table)) Emit("dropping-column", fmt::format("DROP COLUMN {}.{}", table, column));
      } else if (sub == "AT_DetachPartition") {
        if (!Flag(Body(def, "PartitionCmd"), "concurrent") && !IsNew(table)) {
          Emit("detach-partition-without-concurrently",
               fmt::format("DETACH PARTITION {} from {}",
                           Str(At(Body(def, "PartitionCmd"), "name"), "relname"), table));
        }
      }
      strong = true;
    }
    if (strong && !IsNew(table)) Hold(table, "ACCESS EXCLUSIVE");
  }

  void Rename(const json& b) {
    std::string type = Str(b, "renameType");
    std::string table = Str(At(b, "relation"), "relname");
    if (type == "OBJECT_TABLE") {
      if (IsNew(table)) {
        new_tables_.insert(Str(b, "newname"));
      } else {
        Emit("renaming-table", fmt::format("RENAME of table {} to {}", table, Str(b, "newname")));
      }
      columns_[Str(b, "newname")] = columns_[table];
    } else if (type == "OBJECT_COLUMN" && Str(b, "relationType") == "OBJECT_TABLE") {
      if (!IsNew(table)) {
        Emit("renaming-column", fmt::format("RENAME of column {}.{} to {}", table,
                                            Str(b, "subname"), Str(b, "newname")));
      }
    } else {
      return;
    }
    if (!IsNew(table)) Hold(table, "ACCESS EXCLUSIVE");
  }

  void Vacuum(const json& b) {
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
    if (any_old) Emit("vacuum-full", "VACUUM FULL " + (tables.empty() ? "(every table)" : tables));
  }

  void Cluster(const json& b) {
    std::string table = Str(At(b, "relation"), "relname");
    if (table.empty() || !IsNew(table)) {
      Emit("cluster", "CLUSTER " + (table.empty() ? "(every clustered table)" : table));
    }
  }

  void Truncate(const json& b) {
    if (Str(b, "behavior") != "DROP_CASCADE") return;
    std::string tables;
    for (const json& r : List(b, "relations")) {
      tables += (tables.empty() ? "" : ", ") + Str(Body(r, "RangeVar"), "relname");
    }
    Emit("truncate-cascade", "TRUNCATE " + tables + " CASCADE");
  }

  void Set(const json& b) {
    if (Str(b, "name") != "lock_timeout") return;
    std::string kind = Str(b, "kind");
    bool off = kind == "VAR_RESET" || kind == "VAR_SET_DEFAULT";
    for (const json& a : List(b, "args")) {
      const json& c = Body(a, "A_Const");
      if (c.contains("ival"))
        off = off || !At(At(c, "ival"), "ival").is_number() ||
              At(At(c, "ival"), "ival").get<long>() == 0;
      if (c.contains("sval")) {
        std::string v = Str(At(c, "sval"), "sval");
        off = off || v == "0" || v == "0s" || v == "0ms";
      }
    }
    if (off) {
      Emit("lock-timeout-disabled",
           kind == "VAR_SET_VALUE" ? "lock_timeout set to 0"
                                   : "lock_timeout reset to the server default (0: no timeout)");
    }
  }

  // This statement takes a strong lock on table, held until the transaction ends.
  void Hold(const std::string& table, const char* mode) {
    held_.try_emplace(table, Held{mode, Line()});
  }
  // This statement does slow work (scan, rewrite, build, backfill) on table.
  void Slow(const std::string& table, const std::string& what) {
    auto it = held_.find(table);
    if (it == held_.end() || it->second.line == Line()) return;
    Emit("multiple-strong-locks",
         fmt::format("{} runs while the {} lock taken on {} at line {} is held until commit", what,
                     it->second.mode, table, it->second.line));
  }
  void Rewrite(const std::string& table) { Slow(table, "this rewrite of " + table); }

  int Line() const {
    return text_->first_line + LineColumnAt(text_->sql, stmt_ ? stmt_->begin : 0).line - 1;
  }

  void Emit(std::string_view rule, std::string what) {
    LineColumn lc = LineColumnAt(text_->sql, stmt_->begin);
    EmitAt(text_->first_line + lc.line - 1, lc.column, rule, std::move(what));
  }
  void EmitAt(int line, int column, std::string_view rule, std::string what) {
    if (!emit_ || options_.disabled.count(std::string(rule))) return;
    std::string dir = text_->path.substr(0, text_->path.rfind('/') + 1);
    dir = dir.empty() ? "." : dir.substr(0, dir.size() - 1);
    if (auto d = options_.disabled_in_dir.find(dir);
        d != options_.disabled_in_dir.end() && d->second.count(std::string(rule))) {
      return;
    }
    if (stmt_ && IgnoredAt(text_->sql, stmt_->begin).count(std::string(rule))) return;
    const LintRule* r = FindLintRule(rule);
    if (!r) return;
    report_.findings.push_back(
        Finding{.rule = std::string(rule),
                .severity = r->severity,
                .file = text_->path,
                .line = line,
                .column = column,
                .message = fmt::format("{}: PostgreSQL 17 {}", what, r->postgres),
                .fix = std::string(r->fix)});
  }

  struct Held {
    std::string mode;
    int line;
  };

  const LintOptions& options_;
  LintReport& report_;
  bool emit_ = true;
  bool bare_ = false;
  const SqlText* text_ = nullptr;
  const Statement* stmt_ = nullptr;
  std::set<std::string> new_tables_;
  std::map<std::string, std::string> index_table_;
  std::map<std::string, std::map<std::string, Type>> columns_;
  std::map<std::string, std::pair<std::string, std::string>> not_null_checks_;
  std::map<std::string, std::set<std::string>> validated_not_null_;
  std::map<std::string, Held> held_;
};

}  // namespace

LintReport Lint(const std::vector<const Migration*>& migrations, const LintOptions& options,
                const std::vector<const Migration*>& context) {
  LintReport report;
  Checker checker(options, report);
  for (const Migration* m : context) checker.Learn(*m);
  std::set<std::string> files;
  for (const Migration* m : migrations) {
    checker.Check(*m);
    files.insert(m->up.path);
  }
  report.files = static_cast<int>(files.size());
  return report;
}

}  // namespace pgstack::migrate
