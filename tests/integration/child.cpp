#include "child.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "fixture.h"

namespace pgstack::testing {

pid_t SpawnTo(const std::vector<std::string>& argv, int out_fd, int err_fd,
              const std::map<std::string, std::string>& extra_env) {
  std::vector<std::string> args = argv;
  std::vector<char*> cargv;
  for (auto& a : args) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    if (!extra_env.count(kv.substr(0, kv.find('=')))) env.push_back(kv);
  }
  for (const auto& [k, v] : extra_env) env.push_back(k + "=" + v);
  std::vector<char*> cenv;
  for (auto& e : env) cenv.push_back(e.data());
  cenv.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    // dup2 clears close-on-exec on 1 and 2 only; the caller's descriptors close at exec.
    if (dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0) _exit(126);
    execve(cargv[0], cargv.data(), cenv.data());
    _exit(127);
  }
  return pid;
}

pid_t Spawn(const std::vector<std::string>& argv, const std::string& log,
            const std::map<std::string, std::string>& extra_env) {
  std::string out = log.empty() ? "/dev/null" : log;
  // Close-on-exec: a child another thread starts meanwhile must not inherit it.
  int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot open " + out);
  pid_t pid = -1;
  try {
    pid = SpawnTo(argv, fd, fd, extra_env);
  } catch (...) {
    close(fd);
    throw;
  }
  close(fd);
  return pid;
}

int WaitExit(pid_t pid, std::chrono::milliseconds bound) {
  int code = kStillRunning;
  Status exited = WaitFor(
      "pid " + std::to_string(pid) + " to exit",
      [&] {
        int st = 0;
        if (waitpid(pid, &st, WNOHANG) != pid) return false;
        code = WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
        return true;
      },
      bound);
  return exited.ok() ? code : kStillRunning;
}

int Reap(pid_t pid, std::chrono::milliseconds bound) {
  int code = WaitExit(pid, bound);
  if (code == kStillRunning) KillAndReap(pid);
  return code;
}

void KillAndReap(pid_t pid) {
  kill(pid, SIGKILL);
  int st = 0;
  waitpid(pid, &st, 0);
}

std::vector<pid_t> ProcessesIn(const std::string& dir) {
  std::vector<pid_t> found;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmd = ReadText(e.path().string() + "/cmdline");
    // By its program, not by a "pgstack" anywhere: the tests' own folders are named pgstack-it-*.
    std::string program = std::filesystem::path(cmd.substr(0, cmd.find('\0'))).filename();
    std::replace(cmd.begin(), cmd.end(), '\0', ' ');
    if (cmd.find(dir + "/") != std::string::npos && program != "pgstack")
      found.push_back(std::stoi(name));
  }
  return found;
}

}  // namespace pgstack::testing
