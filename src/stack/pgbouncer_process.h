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
  PgBouncerProcess(const StatePaths& paths, const core::OsUser& service,
                   core::ProcessRunner& runner)
      : paths_(paths), service_(service), runner_(runner) {}

  // The running PgBouncer's pid from the pidfile, 0 when none runs.
  pid_t Pid() const;
  bool Running() const { return Pid() != 0; }
  Status Start();
  Status Reload();
  Status Stop();

 private:
  const StatePaths& paths_;
  core::OsUser service_;
  core::ProcessRunner& runner_;
};

// The pid in a PgBouncer pidfile when that process is a running pgbouncer, else 0 (a stale
// pidfile may name a pid that now belongs to another program).
pid_t PgBouncerPid(const std::string& pidfile);

// The pgbouncer executable, or an error saying how to install it.
Result<std::string> FindPgBouncer();

}  // namespace pgstack::stack
