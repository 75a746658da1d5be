// Running other programs (initdb, pg_ctl, pgbouncer). Behind an interface so that unit tests of
// the stack logic can use a fake. Only the stack layer starts processes.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pgstack/core/status.h"

namespace pgstack::core {

struct Command {
  std::vector<std::string> argv;  // argv[0] is an absolute path
  // The child gets a clean environment: PATH, LANG/LC_ALL=C.UTF-8, and these. Nothing from
  // ours (no password variable) leaks into a server's environment.
  std::vector<std::pair<std::string, std::string>> env;
  std::optional<uid_t> uid;  // run as this user (we must be root), with its gid and groups
  std::optional<gid_t> gid;
  std::string cwd;
  int timeout_s = 120;  // killed after this
  std::string input;    // the child's stdin (empty: /dev/null)
};

struct CommandOutput {
  int exit_code = 0;   // 128+signal when killed
  std::string output;  // stdout and stderr together, as the program wrote them
};

class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  // Runs the command to completion. A non-zero exit is not an error here: callers decide.
  virtual Result<CommandOutput> Run(const Command& cmd) = 0;
};

// Forks and execs. Output goes to an anonymous memory file, not a pipe, so a daemon that
// inherits it (pg_ctl's postmaster, pgbouncer -d) cannot keep us waiting.
ProcessRunner& SystemProcessRunner();

// Whether a process with this pid exists (signal 0).
bool ProcessAlive(pid_t pid);

// The pid on the first line of a pidfile (PgBouncer's, PostgreSQL's postmaster.pid), or 0 when
// the file is missing, unreadable or names no pid. Whether that process still runs is
// ProcessAlive's question.
pid_t ReadPidFile(const std::string& path);
// The same from a pidfile's text already read (postmaster.pid's other lines say more).
pid_t ParsePid(std::string_view text);

// The program name of a running process (/proc/<pid>/comm), "" when there is no such process.
std::string ProcessName(pid_t pid);

}  // namespace pgstack::core
