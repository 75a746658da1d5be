// Checks of indexes: CREATE INDEX, DROP INDEX and REINDEX without CONCURRENTLY on an existing
// table, and a DROP INDEX CONCURRENTLY that fails when the runner resumes at it.
#include <fmt/format.h>

#include "lint_checker.h"

namespace pgstack::migrate::internal {

void Checker::CreateIndex(const json& b) {
  std::string table = Str(At(b, "relation"), "relname");
  std::string index = Str(b, "idxname");
  if (!index.empty()) index_table_[index] = table;
  if (IsNew(table)) return;
  if (!Flag(b, "concurrent")) {
    Emit(LintRuleId::kRequireConcurrentIndexCreation,
         fmt::format("CREATE INDEX {}on {} without CONCURRENTLY", index.empty() ? "" : index + " ",
                     table));
    Slow(table, "this index build");
  }
}

void Checker::DropIndex(const std::string& index, const json& b) {
  auto it = index_table_.find(index);
  if (it != index_table_.end() && IsNew(it->second)) return;
  if (!Flag(b, "concurrent")) {
    Emit(LintRuleId::kRequireConcurrentIndexDeletion,
         fmt::format("DROP INDEX {} without CONCURRENTLY", index));
  } else if (bare_ && !Flag(b, "missing_ok")) {
    Emit(LintRuleId::kNonIdempotentResume,
         fmt::format("DROP INDEX CONCURRENTLY {} without IF EXISTS", index));
  }
}

void Checker::Reindex(const json& b) {
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
    Emit(LintRuleId::kRequireConcurrentReindex,
         fmt::format("REINDEX {} without CONCURRENTLY", name));
  }
}

}  // namespace pgstack::migrate::internal
