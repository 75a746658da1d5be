// Processes a test starts in the background and ends itself: a server under test, or a runner it
// kills with SIGKILL half way. (A run that the test waits for is RunPgstack in fixture.h.)
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace pgstack::testing {

// Starts argv (argv[0] a path) with extra_env added to this process's environment, stdout and
// stderr to log ("" for /dev/null); returns its pid. Throws when the log cannot be opened or fork
// fails.
pid_t Spawn(const std::vector<std::string>& argv, const std::string& log = "",
            const std::map<std::string, std::string>& extra_env = {});

// The same with stdout and stderr onto open descriptors of the caller's (which it still closes).
// Everything is prepared before fork: the child only calls async-signal-safe functions until
// execve, so that any number of threads may start children at once.
pid_t SpawnTo(const std::vector<std::string>& argv, int out_fd, int err_fd,
              const std::map<std::string, std::string>& extra_env = {});

// What WaitExit returns for a process that outlived its bound.
constexpr int kStillRunning = -1000;

// Waits for pid with a bound (pgstack's own bounded wait): its exit code, -(signal) when a signal
// ended it (so that `exit(130)` and death by SIGINT stay apart), or kStillRunning (it is left
// running).
int WaitExit(pid_t pid, std::chrono::milliseconds bound);

// WaitExit, but a process that outlives the bound is killed with SIGKILL and reaped.
int Reap(pid_t pid, std::chrono::milliseconds bound);

// SIGKILL, then reaps it.
void KillAndReap(pid_t pid);

// Processes whose command line names something inside dir (a server a broken run left), pgstack
// itself aside.
std::vector<pid_t> ProcessesIn(const std::string& dir);

}  // namespace pgstack::testing
