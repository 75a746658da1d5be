// The static checker's state, shared by its files: one Checker walks the migrations of a run in
// order, keeping what they have done so far (tables created, column types, validated NOT NULL
// checks, the strong locks the current transaction holds), and emits findings by LintRuleId.
// Its checks are split by statement family, one file each:
//   lint_check.cpp             the walk and the dispatch by statement kind
//   lint_check_transaction.cpp the transaction as a whole: locks held, lock_timeout, CONCURRENTLY
//   lint_check_table.cpp       CREATE TABLE [AS], ALTER TABLE, RENAME, DROP TABLE
//   lint_check_column.cpp      columns defined, added and retyped
//   lint_check_constraint.cpp  constraints added and validated, SET NOT NULL
//   lint_check_index.cpp       CREATE INDEX, DROP INDEX, REINDEX
//   lint_check_maintenance.cpp VACUUM, CLUSTER, TRUNCATE, and UPDATE, DELETE, INSERT
//   lint_findings.cpp          how a finding comes out: disabled rules, lint-ignore, position
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "lint_tree.h"
#include "pgstack/migrate/lint.h"
#include "pgstack/migrate/migration.h"

namespace pgstack::migrate::internal {

class Checker {
 public:
  Checker(const LintOptions& options, LintReport& report) : options_(options), report_(report) {}

  // Reads a migration that already ran: what it creates is not new, and nothing is reported.
  void Learn(const Migration& m);
  // Lints a migration that is to run, after those before it in the run.
  void Check(const Migration& m);

 private:
  using json = nlohmann::json;

  // lint_check.cpp
  void Walk(const Migration& m);
  void NotParsed(std::string_view sql, const std::string& error);
  void CheckStatement(const json& stmt);
  void Drop(const json& b);
  bool IsNew(const std::string& table) const { return new_tables_.count(table) > 0; }

  // lint_check_transaction.cpp
  void MigrationFindings(const Migration& m);
  void SetLockTimeout(const json& b);
  // This statement takes a strong lock on table, held until the transaction ends.
  void Hold(const std::string& table, const char* mode);
  // This statement does slow work (scan, rewrite, build, backfill) on table.
  void Slow(const std::string& table, const std::string& what);
  void Rewrite(const std::string& table) { Slow(table, "this rewrite of " + table); }

  // lint_check_table.cpp
  void CreateTable(const json& b);
  void CreateTableAs(const json& b);
  void AlterTable(const json& b);
  // One ALTER TABLE subcommand; false when it takes no strong lock.
  bool AlterTableCommand(const std::string& table, const json& cmd);
  void Rename(const json& b);
  void DropTable(const std::string& table);

  // lint_check_column.cpp
  // Style rules for a column being defined (CREATE TABLE or ADD COLUMN).
  void ColumnStyle(const std::string& table, const json& col, bool table_key);
  void AddColumn(const std::string& table, const json& col);
  // A constraint written on the column that ADD COLUMN adds.
  void AddColumnConstraint(const std::string& table, const std::string& what, const json& con);
  void AlterColumnType(const std::string& table, const std::string& column, const json& def);

  // lint_check_constraint.cpp
  // The validated CHECK (col IS NOT NULL) constraints of a table being created.
  void LearnTableChecks(const std::string& table, const json& b);
  void AddConstraint(const std::string& table, const json& con);
  void ValidateConstraint(const std::string& table, const std::string& name);
  void SetNotNull(const std::string& table, const std::string& column);

  // lint_check_index.cpp
  void CreateIndex(const json& b);
  void DropIndex(const std::string& index, const json& b);
  void Reindex(const json& b);

  // lint_check_maintenance.cpp
  void Vacuum(const json& b);
  void Cluster(const json& b);
  void Truncate(const json& b);
  void UpdateRows(const json& b) { ChangeRows("UPDATE", b); }
  void DeleteRows(const json& b) { ChangeRows("DELETE", b); }
  void InsertRows(const json& b) { ChangeRows("INSERT", b); }
  void ChangeRows(std::string_view verb, const json& b);

  // lint_findings.cpp
  // A lint-ignore finding for each rule the comments above the current statement name that
  // does not exist.
  void UnknownIgnoredRules();
  // The line of the current statement in its file.
  int Line() const;
  // A finding at the current statement.
  void Emit(LintRuleId rule, std::string what);
  void EmitAt(int line, int column, LintRuleId rule, std::string what);

  struct Held {
    std::string mode;
    int line;
  };

  const LintOptions& options_;
  LintReport& report_;
  bool emit_ = true;   // false while learning from applied migrations
  bool bare_ = false;  // the statement runs outside a transaction
  const SqlText* text_ = nullptr;
  const Statement* stmt_ = nullptr;  // nullptr for a finding about the migration as a whole
  std::set<std::string> new_tables_;
  std::map<std::string, std::string> index_table_;                    // index -> its table
  std::map<std::string, std::map<std::string, ColumnType>> columns_;  // table -> column -> type
  // CHECK (col IS NOT NULL) constraints by name: their table and column.
  std::map<std::string, std::pair<std::string, std::string>> not_null_checks_;
  // table -> columns a validated CHECK proves NOT NULL ("*": some validated constraint).
  std::map<std::string, std::set<std::string>> validated_not_null_;
  std::map<std::string, Held> held_;  // table -> the strong lock this transaction holds on it
};

}  // namespace pgstack::migrate::internal
