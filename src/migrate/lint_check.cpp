// The static checker's walk: each migration's statements in order, each parsed and handed to the
// check of its statement family (lint_checker.h lists the files), and Lint() over a run.
#include <fmt/format.h>

#include <set>

#include "lint_checker.h"
#include "lint_parse.h"
#include "pgstack/migrate/lint.h"

namespace pgstack::migrate {
namespace internal {

void Checker::Learn(const Migration& m) {
  emit_ = false;
  Walk(m);
}

void Checker::Check(const Migration& m) {
  emit_ = true;
  Walk(m);
}

void Checker::Walk(const Migration& m) {
  text_ = &m.up;
  bool statements_mode = m.UpMode() == RunMode::kStatements;
  held_.clear();
  MigrationFindings(m);
  for (const Statement& st : m.up.statements) {
    stmt_ = &st;
    bare_ = st.kind == StatementKind::kNoTransaction;
    if (statements_mode) held_.clear();
    if (st.copy_from_stdin) continue;  // data, not schema: nothing to lint
    UnknownIgnoredRules();
    std::string_view sql = std::string_view(m.up.sql).substr(st.begin, st.end - st.begin);
    auto parsed = ParseStatement(sql);
    if (!parsed.ok) {
      NotParsed(sql, parsed.error);
      continue;
    }
    CheckStatement(parsed.stmt);
  }
}

// A statement the grammar (PostgreSQL 15's) rejects: PostgreSQL 17 rejects it too, unless it
// uses syntax that 16 or 17 added, which is only said (no rule checked it).
void Checker::NotParsed(std::string_view sql, const std::string& error) {
  std::string newer = NewerSyntax(sql);
  if (newer.empty()) {
    Emit(LintRuleId::kSyntaxError, "PostgreSQL's grammar says: " + error);
  } else {
    Emit(LintRuleId::kNotParsed,
         fmt::format("not checked: it uses {} (PostgreSQL 16 or 17 syntax), which the linter's "
                     "PostgreSQL {} grammar does not know ({})",
                     newer, GrammarVersion(), error));
  }
}

// The check of each statement kind the rules look at; other kinds are not linted.
void Checker::CheckStatement(const json& stmt) {
  struct KindCheck {
    std::string_view kind;  // libpg_query's node name
    void (Checker::*check)(const json& body);
  };
  static constexpr KindCheck kChecks[] = {
      {"CreateStmt", &Checker::CreateTable},
      {"CreateTableAsStmt", &Checker::CreateTableAs},
      {"AlterTableStmt", &Checker::AlterTable},
      {"RenameStmt", &Checker::Rename},
      {"DropStmt", &Checker::Drop},
      {"IndexStmt", &Checker::CreateIndex},
      {"ReindexStmt", &Checker::Reindex},
      {"VacuumStmt", &Checker::Vacuum},
      {"ClusterStmt", &Checker::Cluster},
      {"TruncateStmt", &Checker::Truncate},
      {"UpdateStmt", &Checker::UpdateRows},
      {"DeleteStmt", &Checker::DeleteRows},
      {"InsertStmt", &Checker::InsertRows},
      {"VariableSetStmt", &Checker::SetLockTimeout},
  };
  auto [kind, body] = Node(stmt);
  for (const KindCheck& c : kChecks) {
    if (c.kind == kind) return (this->*c.check)(*body);
  }
}

// DROP TABLE and DROP INDEX, object by object.
void Checker::Drop(const json& b) {
  std::string what = Str(b, "removeType");
  for (const json& obj : List(b, "objects")) {
    std::string name;
    for (const json& part : List(Body(obj, "List"), "items")) name = StringNode(part);
    if (what == "OBJECT_TABLE") DropTable(name);
    if (what == "OBJECT_INDEX") DropIndex(name, b);
  }
}

}  // namespace internal

LintReport Lint(const std::vector<const Migration*>& migrations, const LintOptions& options,
                const std::vector<const Migration*>& context) {
  LintReport report;
  internal::Checker checker(options, report);
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
