#include "script.h"

#include <libpq-fe.h>

#include <string>

namespace pgstack::verify {

ScriptRun RunScript(pg::Connection& conn, std::string_view sql) {
  ScriptRun run;
  std::string text(sql);
  if (!PQsendQuery(conn.raw(), text.c_str())) {
    run.error = pg::StatusFromResult(nullptr, conn.raw());
    return run;
  }
  while (PGresult* res = PQgetResult(conn.raw())) {
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE) {
      if (run.error.ok()) run.error = pg::StatusFromResult(res, conn.raw());
      PQclear(res);
      continue;
    }
    run.results.emplace_back(res);
  }
  if (conn.in_transaction()) {
    Status rollback = conn.Run("ROLLBACK");
    if (run.error.ok()) run.error = rollback;
  }
  return run;
}

}  // namespace pgstack::verify
