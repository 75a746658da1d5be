// log_statement = 'all' makes the server write every statement to its log, so a load test would
// measure logging rather than pooling. The bench reports the setting at the start; only when the
// user asks (--log-statement-off) does it turn logging off for the run with ALTER SYSTEM and
// pg_reload_conf(), and it puts the previous state back afterwards, also after a failure or an
// interrupt (a SIGKILL of pgstack is the one case that leaves it off).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "pgstack/core/status.h"
#include "pgstack/pg/conn_params.h"
#include "pgstack/pg/connection.h"

namespace pgstack::bench {

// The server's log_statement as any session sees it.
Result<std::string> CurrentLogStatement(pg::Connection& conn);

class LogStatementOff {
 public:
  // Needs a superuser (ALTER SYSTEM). Returns after new sessions see log_statement = 'none'.
  static Result<std::unique_ptr<LogStatementOff>> Apply(const pg::ConnParams& superuser);
  ~LogStatementOff() { (void)Restore(); }
  // Puts back the previous state (an ALTER SYSTEM value, or none); later calls do nothing.
  Status Restore();
  const std::string& previous() const { return previous_; }

 private:
  LogStatementOff(pg::ConnParams superuser, std::string previous,
                  std::optional<std::string> previous_auto)
      : superuser_(std::move(superuser)),
        previous_(std::move(previous)),
        previous_auto_(std::move(previous_auto)) {}
  pg::ConnParams superuser_;
  std::string previous_;                      // the value in effect before
  std::optional<std::string> previous_auto_;  // its ALTER SYSTEM value, when it had one
  bool restored_ = false;
};

}  // namespace pgstack::bench
