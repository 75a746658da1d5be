#include "state_lock.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "pgstack/core/process.h"
#include "pgstack/core/wait.h"
#include "pgstack/location/stack_state.h"

namespace pgstack::stack {
namespace {

std::string ReadHolder(int fd) {
  char buf[256];
  ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string s(buf, n > 0 ? static_cast<size_t>(n) : 0);
  s = s.substr(0, s.find('\n'));  // the holder's line; what follows is another's leftover
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// The pid of the process whose flock is on fd's file, from /proc/locks ("1: FLOCK ADVISORY WRITE
// <pid> <major>:<minor>:<inode> 0 EOF"); 0 when it does not say. The kernel's word, unlike the
// pid the holder wrote into the file, which another can outlive (a child that inherited it).
pid_t FlockHolder(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return 0;
  std::string file = fmt::format("{:02x}:{:02x}:{}", major(st.st_dev), minor(st.st_dev), st.st_ino);
  std::ifstream locks("/proc/locks");
  std::string line;
  while (std::getline(locks, line)) {
    std::istringstream words(line);
    std::string id, type, advisory, mode, pid, where;
    if (!(words >> id >> type >> advisory >> mode >> pid >> where)) continue;
    if (id == "->" || type != "FLOCK" || where != file) continue;  // "->": a waiter, not a holder
    return core::ParsePid(pid);
  }
  return 0;
}

// Who holds the lock on fd's file, in words: the live process that holds it ("pid 42 (pgstack
// up)" as the holder wrote it, else "pid 42 (pgstack)" from its name), never a pid that has
// exited.
std::string DescribeHolder(int fd) {
  std::string wrote = ReadHolder(fd);
  pid_t written = core::ParsePid(wrote.starts_with("pid ") ? wrote.substr(4) : "");
  pid_t holder = FlockHolder(fd);
  if (holder == 0 && core::ProcessAlive(written)) holder = written;
  if (holder == 0 || !core::ProcessAlive(holder)) return "held by another process";
  if (holder == written) return "held by " + wrote;
  return fmt::format("held by pid {} ({})", holder, core::ProcessName(holder));
}

// Whether fd is still the file at path: a destroy that held the lock before us deletes the
// directory, and a lock on a deleted file protects nothing.
bool StillThere(int fd, const std::string& path) {
  struct stat a {
  }, b{};
  return ::fstat(fd, &a) == 0 && ::stat(path.c_str(), &b) == 0 && a.st_ino == b.st_ino &&
         a.st_dev == b.st_dev;
}

}  // namespace

std::chrono::milliseconds StateLock::DefaultTimeout() {
  if (const char* v = std::getenv("PGSTACK_LOCK_TIMEOUT"); v && *v) {
    char* end = nullptr;
    double s = std::strtod(v, &end);
    if (*end == '\0' && s >= 0) return std::chrono::milliseconds(static_cast<long long>(s * 1000));
  }
  return std::chrono::seconds(30);
}

Result<StateLock> StateLock::Acquire(const StatePaths& paths, const std::string& command,
                                     std::chrono::milliseconds timeout,
                                     std::optional<core::Owner> make_root,
                                     const std::function<void(const std::string&)>& on_wait) {
  int fd = -1;
  auto look = [&]() -> core::Poll {
    if (fd < 0) {
      if (make_root) {
        Status made = core::MakeDirs(paths.root, 0700, *make_root);
        if (!made.ok()) return core::Poll::Fail(made);
      }
      fd = ::open(paths.lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
      if (fd < 0 && errno == ENOENT && !make_root) {
        return core::Poll::Fail(location::NoStack(paths.root));
      }
      if (fd < 0) {
        return core::Poll::Fail(Status::Failure(
            fmt::format("{}: cannot open the lock file: {}", paths.lock_file, strerror(errno))));
      }
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK && errno != EINTR) {
        return core::Poll::Fail(
            Status::Failure(fmt::format("{}: cannot lock: {}", paths.lock_file, strerror(errno))));
      }
      return core::Poll::NotYet(DescribeHolder(fd));
    }
    if (!StillThere(fd, paths.lock_file)) {
      ::close(fd);
      fd = -1;
      return core::Poll::NotYet("the directory was deleted; looking again");
    }
    return core::Poll::Ready();
  };
  std::function<void(const std::string&)> tell;
  if (on_wait) {
    tell = [&](const std::string& why) {
      on_wait(fmt::format("waiting for the lock of {} ({}), at most {}", paths.root, why,
                          core::FormatWaitDuration(timeout)));
    };
  }
  Status s = core::WaitUntil({.what = "the lock of " + paths.root,
                              .timeout = timeout,
                              .backoff = {.first = std::chrono::milliseconds(5),
                                          .growth = 1.5,
                                          .max = std::chrono::milliseconds(200)},
                              .code = Code::kLockTimeout,
                              // Once, at the first look that finds it held.
                              .on_wait = tell,
                              .report_every = timeout + std::chrono::hours(1)},
                             look);
  if (!s.ok()) {
    if (fd >= 0) ::close(fd);
    return s;
  }
  std::string me = fmt::format("pid {} ({})\n", ::getpid(), command);
  if (::ftruncate(fd, 0) == 0) ::pwrite(fd, me.data(), me.size(), 0);
  return StateLock(fd);
}

StateLock::~StateLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace pgstack::stack
