// Checks of statements on tables as a whole: CREATE TABLE [AS] (what a run creates is new, and
// work on it takes no alarm), ALTER TABLE (each subcommand to its family), RENAME, DROP TABLE.
#include <fmt/format.h>

#include "lint_checker.h"

namespace pgstack::migrate::internal {

void Checker::CreateTable(const json& b) {
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
  }
  LearnTableChecks(table, b);
  for (const json& e : List(b, "tableElts")) {
    const json& col = Body(e, "ColumnDef");
    if (!col.is_null()) ColumnStyle(table, col, keys.count(Str(col, "colname")) > 0);
  }
}

void Checker::CreateTableAs(const json& b) {
  new_tables_.insert(Str(At(At(b, "into"), "rel"), "relname"));
}

void Checker::AlterTable(const json& b) {
  std::string table = Str(At(b, "relation"), "relname");
  if (Str(b, "objtype") != "OBJECT_TABLE") return;
  bool strong = false;
  for (const json& c : List(b, "cmds")) {
    strong = AlterTableCommand(table, Body(c, "AlterTableCmd")) || strong;
  }
  if (strong && !IsNew(table)) Hold(table, "ACCESS EXCLUSIVE");
}

bool Checker::AlterTableCommand(const std::string& table, const json& cmd) {
  std::string sub = Str(cmd, "subtype");
  std::string column = Str(cmd, "name");
  const json& def = At(cmd, "def");
  if (sub == "AT_AddColumn") {
    AddColumn(table, Body(def, "ColumnDef"));
  } else if (sub == "AT_AddConstraint") {
    AddConstraint(table, Body(def, "Constraint"));
  } else if (sub == "AT_ValidateConstraint") {
    ValidateConstraint(table, column);
    return false;  // SHARE UPDATE EXCLUSIVE: not a strong lock
  } else if (sub == "AT_SetNotNull") {
    SetNotNull(table, column);
  } else if (sub == "AT_AlterColumnType") {
    AlterColumnType(table, column, Body(def, "ColumnDef"));
  } else if (sub == "AT_DropColumn") {
    if (!IsNew(table)) {
      Emit(LintRuleId::kDroppingColumn, fmt::format("DROP COLUMN {}.{}", table, column));
    }
  } else if (sub == "AT_DetachPartition") {
    const json& partition = Body(def, "PartitionCmd");
    if (!Flag(partition, "concurrent") && !IsNew(table)) {
      Emit(
          LintRuleId::kDetachPartitionWithoutConcurrently,
          fmt::format("DETACH PARTITION {} from {}", Str(At(partition, "name"), "relname"), table));
    }
  }
  return true;
}

void Checker::Rename(const json& b) {
  std::string type = Str(b, "renameType");
  std::string table = Str(At(b, "relation"), "relname");
  if (type == "OBJECT_TABLE") {
    if (IsNew(table)) {
      new_tables_.insert(Str(b, "newname"));
    } else {
      Emit(LintRuleId::kRenamingTable,
           fmt::format("RENAME of table {} to {}", table, Str(b, "newname")));
    }
    columns_[Str(b, "newname")] = columns_[table];
  } else if (type == "OBJECT_COLUMN" && Str(b, "relationType") == "OBJECT_TABLE") {
    if (!IsNew(table)) {
      Emit(LintRuleId::kRenamingColumn, fmt::format("RENAME of column {}.{} to {}", table,
                                                    Str(b, "subname"), Str(b, "newname")));
    }
  } else {
    return;
  }
  if (!IsNew(table)) Hold(table, "ACCESS EXCLUSIVE");
}

void Checker::DropTable(const std::string& table) {
  if (IsNew(table)) return;
  Emit(LintRuleId::kDroppingTable, fmt::format("DROP TABLE {}", table));
  Hold(table, "ACCESS EXCLUSIVE");
}

}  // namespace pgstack::migrate::internal
