// Checks of the transaction a migration runs in, as a whole: a CONCURRENTLY statement inside the
// file's own BEGIN ... COMMIT, lock_timeout turned off, and slow work while an earlier statement
// of the same transaction holds a strong lock on the table (multiple-strong-locks).
#include <fmt/format.h>

#include "lint_checker.h"

namespace pgstack::migrate::internal {

void Checker::MigrationFindings(const Migration& m) {
  if (emit_ && m.up_options.lock_timeout_ms && *m.up_options.lock_timeout_ms == 0) {
    stmt_ = nullptr;
    EmitAt(m.up.first_line > 1 ? m.up.first_line - 1 : 1, 1, LintRuleId::kLockTimeoutDisabled,
           "the directive lock-timeout=0 turns pgstack's lock_timeout off for this migration");
  }
  if (emit_ && m.up.had_own_transaction && m.up.NeedsNoTransaction()) {
    for (const Statement& st : m.up.statements) {
      if (st.kind != StatementKind::kNoTransaction) continue;
      stmt_ = &st;
      Emit(LintRuleId::kConcurrentlyInTransaction,
           fmt::format("{} cannot run inside the file's BEGIN ... COMMIT", st.keyword));
    }
  }
}

void Checker::SetLockTimeout(const json& b) {
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
    Emit(LintRuleId::kLockTimeoutDisabled,
         kind == "VAR_SET_VALUE" ? "lock_timeout set to 0"
                                 : "lock_timeout reset to the server default (0: no timeout)");
  }
}

void Checker::Hold(const std::string& table, const char* mode) {
  held_.try_emplace(table, Held{mode, Line()});
}

void Checker::Slow(const std::string& table, const std::string& what) {
  auto it = held_.find(table);
  if (it == held_.end() || it->second.line == Line()) return;
  Emit(LintRuleId::kMultipleStrongLocks,
       fmt::format("{} runs while the {} lock taken on {} at line {} is held until commit", what,
                   it->second.mode, table, it->second.line));
}

}  // namespace pgstack::migrate::internal
