#include "fixture.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <random>

#include "child.h"
#include "pgstack/core/files.h"
#include "pgstack/core/wait.h"
#include "pgstack/location/environment.h"

namespace pgstack::testing {
namespace {

std::vector<std::string>& TempDirs() {
  static std::vector<std::string> dirs;
  return dirs;
}

void RemoveTempDirs() {
  for (const auto& d : TempDirs()) {
    std::error_code ec;
    std::filesystem::remove_all(d, ec);
  }
}

}  // namespace

std::string SourceDir() { return PGSTACK_SOURCE_DIR_FOR_TESTS; }
std::string PgstackBinary() { return PGSTACK_BINARY; }

std::string ReadText(const std::string& path) {
  auto text = core::ReadFileIfExists(path);
  return text.ok() && *text ? **text : "";
}

std::string TempDir(const std::string& tag) {
  static std::once_flag once;
  // The list must exist before the handler is registered, so that it is destroyed after it runs.
  std::call_once(once, [] {
    TempDirs();
    std::atexit(RemoveTempDirs);
  });
  std::string tmpl =
      (std::filesystem::temp_directory_path() / ("pgstack-it-" + tag + ".XXXXXX")).string();
  char* made = mkdtemp(tmpl.data());
  if (!made) throw std::runtime_error("mkdtemp failed");
  chmod(made, 0755);
  TempDirs().push_back(made);
  return made;
}

core::PortLock TakePort(const std::string& host) {
  auto lock = core::PortLock::Take(host);
  if (!lock.ok()) throw std::runtime_error("no free port: " + lock.status().message());
  return std::move(*lock);
}

Status WaitFor(const std::string& what, const std::function<bool()>& cond,
               std::chrono::milliseconds limit) {
  return core::WaitUntil(
      {.what = what, .timeout = limit, .backoff = {.first = std::chrono::milliseconds(20)}},
      [&] { return cond() ? core::Poll::Ready() : core::Poll::NotYet(""); });
}

Status SignalAndWait(const std::string& pidfile, int signal) {
  pid_t pid = core::ReadPidFile(pidfile);
  if (pid <= 0) return Status::Failure(pidfile + " names no process");
  if (::kill(pid, signal) != 0) return Status::Failure(pidfile + ": the signal failed");
  return WaitFor(fmt::format("pid {} of {} to end", pid, pidfile),
                 [pid] { return !core::ProcessAlive(pid); });
}

unsigned FaultSeed() {
  const char* set = std::getenv("PGSTACK_FAULT_SEED");
  unsigned seed =
      set ? static_cast<unsigned>(std::strtoul(set, nullptr, 10)) : std::random_device{}();
  std::cout << "fault seed: " << seed << " (PGSTACK_FAULT_SEED=" << seed << " replays it)"
            << std::endl;
  return seed;
}

std::unique_ptr<TestStack> TestStack::Start(const std::string& env_name) {
  auto env = location::LoadEnvironment(SourceDir() + "/config/database.json", env_name,
                                       core::ProcessEnv());
  if (!env.ok()) throw std::runtime_error(env.status().message());
  std::unique_ptr<TestStack> s(new TestStack());
  s->env_ = *env;
  s->state_dir_ = TempDir("stack") + "/state";
  // Locked for the stack's lifetime: a test that stops a server and starts it again finds its
  // port still free of other test binaries.
  s->ports_.push_back(TakePort(s->env_.postgres.host));
  s->ports_.push_back(TakePort(s->env_.pgbouncer.listen_addr));
  stack::UpOptions opts{
      .state_dir = s->state_dir_, .pg_port = s->ports_[0].port(), .pool_port = s->ports_[1].port()};
  auto up = stack::Up(s->env_, opts);
  if (!up.ok()) throw std::runtime_error("test stack: " + up.status().message());
  s->state_ = up->state;
  auto ep = location::LocalEndpoints(s->env_, s->state_dir_);
  if (!ep.ok()) throw std::runtime_error("test stack: " + ep.status().message());
  s->endpoints_ = *ep;
  return s;
}

TestStack& TestStack::Shared() {
  static std::unique_ptr<TestStack> shared;
  static std::once_flag once;
  std::call_once(once, [] {
    shared = Start("test");
    // Torn down at exit even when a test fails; a leftover server would hold its ports.
    std::atexit([] { shared.reset(); });
  });
  return *shared;
}

TestStack::~TestStack() { (void)stack::Down(state_dir_); }

std::vector<std::string> TestStack::WithStackFlags(const std::vector<std::string>& args) const {
  std::vector<std::string> full = {"--config",    SourceDir() + "/config/database.json",
                                   "--env",       env_.name,
                                   "--state-dir", state_dir_};
  full.insert(full.end(), args.begin(), args.end());
  return full;
}

core::CommandOutput TestStack::Pgstack(const std::vector<std::string>& args,
                                       const std::map<std::string, std::string>& extra_env,
                                       Capture capture) const {
  return RunPgstack(WithStackFlags(args), extra_env, capture);
}

pid_t TestStack::SpawnPgstack(const std::vector<std::string>& args, const std::string& log,
                              const std::map<std::string, std::string>& extra_env) const {
  std::vector<std::string> argv = WithStackFlags(args);
  argv.insert(argv.begin(), PGSTACK_BINARY);
  return Spawn(argv, log, extra_env);
}

core::CommandOutput RunPgstack(const std::vector<std::string>& args,
                               const std::map<std::string, std::string>& extra_env,
                               Capture capture) {
  // Far above any run of the suite (`up` on a loaded machine included): only a hang reaches it.
  constexpr auto kLimit = std::chrono::minutes(5);
  auto deadline = std::chrono::steady_clock::now() + kLimit;
  std::vector<std::string> argv = args;
  argv.insert(argv.begin(), PGSTACK_BINARY);
  // Close-on-exec: a test that runs pgstack from several threads would otherwise leak this
  // pipe into another thread's child, whose daemons would then keep it open (no EOF, a hang).
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (null < 0) throw std::runtime_error("cannot open /dev/null");
  // The binary inherits our environment (as a user's shell would) plus extra_env.
  pid_t pid = SpawnTo(argv, fds[1], capture == Capture::kStdoutOnly ? null : fds[1], extra_env);
  close(null);
  close(fds[1]);
  auto left = [deadline] {
    return std::max(std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now()),
                    std::chrono::milliseconds(0));
  };
  core::CommandOutput out;
  std::array<char, 4096> buf;
  bool eof = false;
  while (!eof && left().count() > 0) {
    pollfd p{.fd = fds[0], .events = POLLIN, .revents = 0};
    int ready = poll(&p, 1, static_cast<int>(left().count()));
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    ssize_t n = read(fds[0], buf.data(), buf.size());
    if (n > 0) out.output.append(buf.data(), static_cast<size_t>(n));
    eof = n == 0 || (n < 0 && errno != EINTR);
  }
  close(fds[0]);
  int code = eof ? WaitExit(pid, left()) : kStillRunning;
  if (code == kStillRunning) {
    KillAndReap(pid);
    ADD_FAILURE() << "pgstack ran past " << kLimit.count() << " min and was killed; its output:\n"
                  << out.output;
    code = -SIGKILL;
  }
  out.exit_code = code >= 0 ? code : 128 - code;
  return out;
}

}  // namespace pgstack::testing
