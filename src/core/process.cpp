#include "pgstack/core/process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <fstream>

#include "pgstack/core/files.h"
#include "pgstack/core/wait.h"

namespace pgstack::core {
namespace {

// The child's stdin: a memory file holding `input`, read from its start; /dev/null when empty.
Result<int> InputFd(const std::string& input) {
  int fd = input.empty() ? open("/dev/null", O_RDONLY | O_CLOEXEC)
                         : memfd_create("pgstack-in", MFD_CLOEXEC);
  if (fd < 0) return Status::Failure(fmt::format("stdin for a child: {}", std::strerror(errno)));
  if (!input.empty() &&
      pwrite(fd, input.data(), input.size(), 0) != static_cast<ssize_t>(input.size())) {
    Status s = Status::Failure(fmt::format("stdin for a child: {}", std::strerror(errno)));
    close(fd);
    return s;
  }
  return fd;
}

class SystemRunner : public ProcessRunner {
 public:
  Result<CommandOutput> Run(const Command& cmd) override {
    if (cmd.argv.empty()) return Status::Failure("empty command");
    PGSTACK_ASSIGN_OR_RETURN(int in, InputFd(cmd.input));
    int out = memfd_create("pgstack-out", MFD_CLOEXEC);
    if (out < 0) {
      close(in);
      return Status::Failure(fmt::format("memfd_create: {}", std::strerror(errno)));
    }

    // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
    std::vector<std::string> env_store = {"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8",
                                          "LC_ALL=C.UTF-8"};
    for (const auto& [k, v] : cmd.env) env_store.push_back(k + "=" + v);
    std::vector<char*> envp, argv;
    for (auto& s : env_store) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> argv_store = cmd.argv;
    for (auto& s : argv_store) argv.push_back(s.data());
    argv.push_back(nullptr);
    std::vector<gid_t> groups;
    std::string user_name;
    if (cmd.uid) {
      // The _r form: commands run from more than one thread at once (a cold `up`'s two initdbs).
      passwd entry{};
      passwd* pw = nullptr;
      std::vector<char> buf(16384);
      if (getpwuid_r(*cmd.uid, &entry, buf.data(), buf.size(), &pw) == 0 && pw) {
        user_name = pw->pw_name;
        int n = 64;
        groups.resize(n);
        if (getgrouplist(pw->pw_name, cmd.gid.value_or(pw->pw_gid), groups.data(), &n) < 0) n = 0;
        groups.resize(n);
      }
    }

    const pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
      close(in);
      close(out);
      return Status::Failure(fmt::format("fork: {}", std::strerror(errno)));
    }
    if (pid == 0) {
      dup2(in, 0);
      dup2(out, 1);
      dup2(out, 2);
      setsid();
      umask(077);  // logs, sockets and files the servers create are theirs alone
      if (!cmd.cwd.empty() && chdir(cmd.cwd.c_str()) != 0) _exit(126);
      if (cmd.uid) {
        if (setgroups(groups.size(), groups.data()) != 0) _exit(126);
        if (cmd.gid && setgid(*cmd.gid) != 0) _exit(126);
        if (setuid(*cmd.uid) != 0) _exit(126);
      }
      // Killed with us (after setuid, which clears it): an initdb must not go on writing into
      // a state dir whose next `up` cleans up after the killed one. What the program starts
      // as a daemon (pg_ctl's postmaster, pgbouncer -d) forks, which clears it again.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(127);
      execve(argv[0], argv.data(), envp.data());
      _exit(127);
    }

    close(in);
    int status = 0;
    Status finished = WaitUntil({.what = cmd.argv[0] + " to finish",
                                 .timeout = std::chrono::seconds(cmd.timeout_s),
                                 .backoff = {.first = std::chrono::milliseconds(2)}},
                                [&] {
                                  pid_t r = waitpid(pid, &status, WNOHANG);
                                  return r == pid || (r < 0 && errno != EINTR)
                                             ? Poll::Ready()
                                             : Poll::NotYet("it still runs");
                                });
    if (!finished.ok()) {
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
    }
    CommandOutput result;
    off_t size = lseek(out, 0, SEEK_END);
    if (size > 0) {
      result.output.resize(static_cast<size_t>(size));
      pread(out, result.output.data(), result.output.size(), 0);
    }
    close(out);
    if (!finished.ok()) return finished;
    if (WIFEXITED(status))
      result.exit_code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
      result.exit_code = 128 + WTERMSIG(status);
    if (result.exit_code == 127) {
      return Status::Failure(fmt::format("{}: cannot execute", cmd.argv[0]));
    }
    if (result.exit_code == 126 && cmd.uid) {
      return Status::Failure(fmt::format("{}: cannot switch to OS user {} or enter {}", cmd.argv[0],
                                         user_name, cmd.cwd));
    }
    return result;
  }
};

}  // namespace

ProcessRunner& SystemProcessRunner() {
  static SystemRunner runner;
  return runner;
}

bool ProcessAlive(pid_t pid) {
  if (pid <= 0 || (kill(pid, 0) != 0 && errno != EPERM)) return false;
  // A zombie answers signal 0 too; where nobody reaps orphans (a container's init) it lingers.
  auto stat = ReadFileIfExists("/proc/" + std::to_string(pid) + "/stat");
  if (!stat.ok() || !*stat) return true;
  const std::string& line = **stat;
  size_t paren = line.rfind(')');
  return paren == std::string::npos || paren + 2 >= line.size() || line[paren + 2] != 'Z';
}

pid_t ReadPidFile(const std::string& path) {
  auto text = ReadFileIfExists(path);
  return text.ok() && *text ? ParsePid(**text) : 0;
}

pid_t ParsePid(std::string_view t) {
  size_t begin = t.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return 0;
  pid_t pid = 0;
  auto [end, ec] = std::from_chars(t.data() + begin, t.data() + t.size(), pid);
  bool whole = end == t.data() + t.size() || *end == '\n' || *end == ' ' || *end == '\r';
  return ec == std::errc() && whole && pid > 0 ? pid : 0;
}

std::string ProcessName(pid_t pid) {
  auto text = ReadFileIfExists("/proc/" + std::to_string(pid) + "/comm");
  if (!text.ok() || !*text) return "";
  std::string name = std::move(**text);
  while (!name.empty() && (name.back() == '\n' || name.back() == '\r')) name.pop_back();
  return name;
}

}  // namespace pgstack::core
