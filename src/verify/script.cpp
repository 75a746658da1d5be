#include "script.h"

namespace pgstack::verify {

ScriptRun RunScript(pg::Connection& conn, std::string_view sql) {
  pg::ScriptResult r = conn.ExecScript(sql);
  ScriptRun run{std::move(r.results), std::move(r.error)};
  if (conn.in_transaction()) {
    Status rollback = conn.Run("ROLLBACK");
    if (run.error.ok()) run.error = rollback;
  }
  return run;
}

}  // namespace pgstack::verify
