// The local PgBouncer: started as the service user with -d, known by its pidfile, reloaded with
// SIGHUP, stopped with SIGTERM. PgBouncer 1.18 forks before it binds, so its exit code proves
// nothing: callers wait for a login through it (WaitForLogin).
#pragma once

#include <sys/types.h>

#include <string>

#include "internal.h"

namespace pgstack::stack {

class PgBouncerProcess {
 public:
  PgBouncerProcess(const StatePaths& paths, const OsUser& service, ProcessRunner& runner)
      : paths_(paths), service_(service), runner_(runner) {}

  // The running PgBouncer's pid from the pidfile, 0 when none runs.
  pid_t Pid() const;
  bool Running() const { return Pid() != 0; }
  Status Start();
  Status Reload();
  Status Stop();

 private:
  const StatePaths& paths_;
  OsUser service_;
  ProcessRunner& runner_;
};

// The pgbouncer executable, or an error saying how to install it.
Result<std::string> FindPgBouncer();

}  // namespace pgstack::stack
