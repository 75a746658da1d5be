// The integration-test stack: one real PostgreSQL 17 + PgBouncer per test binary, brought up
// through pgstack's own library (stack::Up) on free ports in a fresh state directory, and torn
// down when the binary exits. Environment "test" of config/database.json unless a test asks for
// another with its own StartStack().
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "child.h"
#include "pgstack/core/config.h"
#include "pgstack/core/port_lock.h"
#include "pgstack/core/process.h"
#include "pgstack/location/endpoints.h"
#include "pgstack/location/state_paths.h"
#include "pgstack/pg/connection.h"
#include "pgstack/stack/stack.h"
#include "test_files.h"

namespace pgstack::testing {

// What a run of the binary captures in CommandOutput::output.
enum class Capture { kStdoutAndStderr, kStdoutOnly };

// The project's source folder (config/, database/, node_modules/).
std::string SourceDir();
// The pgstack binary under test, for a script that runs it.
std::string PgstackBinary();
// A whole file's text ("" when it cannot be read).
std::string ReadText(const std::string& path);

// A fresh temporary folder (o+x, so the service user can reach what is inside), removed at exit.
std::string TempDir(const std::string& tag);

// A free TCP port on host, locked (core::PortLock) until the returned object is destroyed, so that
// test binaries running at once never get the same one.
core::PortLock TakePort(const std::string& host = "127.0.0.1");

// Polls cond until it holds or `limit` passes, with pgstack's own bounded wait; the Status names
// `what` when it did not happen. Tests wait for a condition this way, never with a bare sleep.
Status WaitFor(const std::string& what, const std::function<bool()>& cond,
               std::chrono::milliseconds limit = std::chrono::seconds(15));

// Sends `signal` to the process a pidfile names (a postmaster's) and waits until it is gone; an
// error when the file names none, the signal fails, or the process stays.
Status SignalAndWait(const std::string& pidfile, int signal);

// The seed of a fault test's random kill points: PGSTACK_FAULT_SEED when set, else a fresh one.
// Printed, so that the run of a failure can be replayed.
unsigned FaultSeed();

class TestStack {
 public:
  // Starts a stack of environment env_name of config/database.json (with this process's
  // environment overrides, as pgstack applies them) on free ports.
  static std::unique_ptr<TestStack> Start(const std::string& env_name = "test");
  // The shared stack of this test binary, started on first use.
  static TestStack& Shared();
  ~TestStack();

  const core::Environment& env() const { return env_; }
  const location::Endpoints& endpoints() const { return endpoints_; }
  const std::string& state_dir() const { return state_dir_; }
  const location::StackState& state() const { return state_; }

  // Open connections; a failure fails the test (the Result is returned so ASSERT can check it).
  Result<pg::Connection> Direct() const { return pg::Connection::Open(endpoints_.direct); }
  Result<pg::Connection> Pooled() const { return pg::Connection::Open(endpoints_.pooled); }
  Result<pg::Connection> Superuser() const { return pg::Connection::Open(endpoints_.superuser); }
  Result<pg::Connection> Admin() const { return pg::Connection::Open(endpoints_.admin); }

  // Runs the real pgstack binary against this stack: --config, --env and --state-dir are
  // prepended; extra_env is added to a copy of this process's environment.
  core::CommandOutput Pgstack(const std::vector<std::string>& args,
                              const std::map<std::string, std::string>& extra_env = {},
                              Capture capture = Capture::kStdoutAndStderr) const;
  // The same in the background (child.h), output to log; its pid.
  pid_t SpawnPgstack(const std::vector<std::string>& args, const std::string& log = "",
                     const std::map<std::string, std::string>& extra_env = {}) const;

 private:
  TestStack() = default;
  // args after the flags that point the binary at this stack.
  std::vector<std::string> WithStackFlags(const std::vector<std::string>& args) const;
  core::Environment env_;
  std::string state_dir_;
  location::StackState state_;
  location::Endpoints endpoints_;
  std::vector<core::PortLock> ports_;  // PostgreSQL's and PgBouncer's, held while it runs
};

// Runs the pgstack binary with the given args and environment additions (no preset flags).
core::CommandOutput RunPgstack(const std::vector<std::string>& args,
                               const std::map<std::string, std::string>& extra_env = {},
                               Capture capture = Capture::kStdoutAndStderr);

}  // namespace pgstack::testing
