#include "pgbouncer_process.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include "pgstack/core/wait.h"

namespace pgstack::stack {

Result<std::string> FindPgBouncer() {
  for (const char* p : {"/usr/sbin/pgbouncer", "/usr/bin/pgbouncer", "/usr/local/bin/pgbouncer"}) {
    if (access(p, X_OK) == 0) return std::string(p);
  }
  return Status::InvalidInput(
      "pgbouncer not found: run database/setup/postgresql-setup.sh (or apt-get install pgbouncer)");
}

pid_t PgBouncerPid(const std::string& pidfile) {
  pid_t pid = core::ReadPidFile(pidfile);
  if (!core::ProcessAlive(pid)) return 0;
  // A stale pidfile may name a pid that now belongs to another program.
  return core::ProcessName(pid) == "pgbouncer" ? pid : 0;
}

pid_t PgBouncerProcess::Pid() const { return PgBouncerPid(paths_.pgbouncer_pid); }

Status PgBouncerProcess::Start() {
  PGSTACK_ASSIGN_OR_RETURN(std::string bin, FindPgBouncer());
  // A pidfile left by a killed PgBouncer makes a new one refuse to start.
  if (Pid() == 0) ::unlink(paths_.pgbouncer_pid.c_str());
  Status s = RunAs(runner_, service_, {bin, "-d", "-q", paths_.pgbouncer_ini}, "pgbouncer", 30);
  return s.ok() ? s : s.WithContext(fmt::format("see {}", paths_.pgbouncer_log));
}

Status PgBouncerProcess::Reload() {
  pid_t pid = Pid();
  if (pid == 0 || kill(pid, SIGHUP) != 0) return Status::Failure("PgBouncer is not running");
  return Status::Ok();
}

Status PgBouncerProcess::Stop() {
  pid_t pid = Pid();
  if (pid == 0) return Status::Ok();
  kill(pid, SIGTERM);
  PGSTACK_RETURN_IF_ERROR(core::WaitUntil({.what = fmt::format("PgBouncer (pid {}) to stop", pid),
                                           .timeout = std::chrono::seconds(10),
                                           .backoff = {.first = std::chrono::milliseconds(5)}},
                                          [pid] {
                                            return core::ProcessAlive(pid)
                                                       ? core::Poll::NotYet("it still runs")
                                                       : core::Poll::Ready();
                                          }));
  ::unlink(paths_.pgbouncer_pid.c_str());
  return Status::Ok();
}

}  // namespace pgstack::stack
