#include "pgstack/pg/reload.h"

#include <string>

#include "pgstack/core/wait.h"
#include "pgstack/pg/query_result.h"

namespace pgstack::pg {

Status ReloadConfiguration(Connection& conn, std::chrono::milliseconds timeout) {
  PGSTACK_ASSIGN_OR_RETURN(auto before, conn.Exec("SELECT pg_conf_load_time()"));
  PGSTACK_RETURN_IF_ERROR(conn.Run("SELECT pg_reload_conf()"));
  const std::string was(before.scalar());
  return core::WaitUntil(
      {.what = "PostgreSQL to re-read its configuration files (pg_reload_conf())",
       .timeout = timeout,
       .backoff = {.first = std::chrono::milliseconds(5),
                   .growth = 1.5,
                   .max = std::chrono::milliseconds(100)}},
      [&] {
        auto now = conn.Exec("SELECT pg_conf_load_time()");
        if (!now.ok()) return core::Poll::Fail(now.status());
        return now->scalar() != was ? core::Poll::Ready()
                                    : core::Poll::NotYet("pg_conf_load_time() is still " + was);
      });
}

}  // namespace pgstack::pg
