#include "pgstack/bench/log_statement.h"

#include <fmt/format.h>

#include "pgstack/pg/reload.h"

namespace pgstack::bench {
namespace {

// Reloads the configuration and checks that a new session (as the load's clients will open)
// sees value: after the reload only a setting of the role or database could hide it.
Status ReloadAndCheck(pg::Connection& conn, const pg::ConnParams& superuser,
                      const std::string& value) {
  PGSTACK_RETURN_IF_ERROR(pg::ReloadConfiguration(conn));
  PGSTACK_ASSIGN_OR_RETURN(auto fresh, pg::Connection::Open(superuser));
  PGSTACK_ASSIGN_OR_RETURN(std::string now, CurrentLogStatement(fresh));
  if (now == value) return Status::Ok();
  return Status::Failure(fmt::format(
      "log_statement is '{}', not '{}', after pg_reload_conf(): a setting of the role or the "
      "database overrides it",
      now, value));
}

}  // namespace

Result<std::string> CurrentLogStatement(pg::Connection& conn) {
  PGSTACK_ASSIGN_OR_RETURN(auto r, conn.Exec("SELECT current_setting('log_statement')"));
  return r.scalar();
}

Result<std::unique_ptr<LogStatementOff>> LogStatementOff::Apply(const pg::ConnParams& su) {
  PGSTACK_ASSIGN_OR_RETURN(auto conn, pg::Connection::Open(su));
  PGSTACK_ASSIGN_OR_RETURN(std::string previous, CurrentLogStatement(conn));
  PGSTACK_ASSIGN_OR_RETURN(
      auto file, conn.Exec("SELECT setting FROM pg_file_settings WHERE name = 'log_statement' "
                           "AND sourcefile LIKE '%postgresql.auto.conf' AND applied"));
  std::optional<std::string> previous_auto;
  if (file.rows() > 0) previous_auto = std::string(file.get(0, 0));
  Status s = conn.Run("ALTER SYSTEM SET log_statement = 'none'");
  if (!s.ok()) return s.WithContext("cannot turn log_statement off (ALTER SYSTEM)");
  std::unique_ptr<LogStatementOff> guard(new LogStatementOff(su, previous, previous_auto));
  PGSTACK_RETURN_IF_ERROR(ReloadAndCheck(conn, su, "none"));
  return guard;
}

Status LogStatementOff::Restore() {
  if (restored_) return Status::Ok();
  restored_ = true;
  PGSTACK_ASSIGN_OR_RETURN(auto conn, pg::Connection::Open(superuser_));
  std::string sql = previous_auto_
                        ? "ALTER SYSTEM SET log_statement = " + conn.QuoteLiteral(*previous_auto_)
                        : std::string("ALTER SYSTEM RESET log_statement");
  Status s = conn.Run(sql);
  if (s.ok()) s = ReloadAndCheck(conn, superuser_, previous_);
  if (!s.ok()) {
    return s.WithContext("could not restore log_statement to '" + previous_ +
                         "'; run ALTER SYSTEM RESET log_statement as a superuser");
  }
  return Status::Ok();
}

}  // namespace pgstack::bench
