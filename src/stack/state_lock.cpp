#include "state_lock.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "pgstack/core/wait.h"

namespace pgstack::stack {
namespace {

std::string ReadHolder(int fd) {
  char buf[256];
  ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string s(buf, n > 0 ? static_cast<size_t>(n) : 0);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
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

std::string StateLock::Holder(const StatePaths& paths) {
  int fd = ::open(paths.lock_file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  std::string who;
  if (::flock(fd, LOCK_SH | LOCK_NB) != 0) who = ReadHolder(fd);
  ::close(fd);
  return who;
}

Result<StateLock> StateLock::Acquire(const StatePaths& paths, const std::string& command,
                                     std::chrono::milliseconds timeout,
                                     std::optional<core::Owner> make_root) {
  int fd = -1;
  auto look = [&]() -> core::Poll {
    if (fd < 0) {
      if (make_root) {
        Status made = core::MakeDirs(paths.root, 0700, *make_root);
        if (!made.ok()) return core::Poll::Fail(made);
      }
      fd = ::open(paths.lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
      if (fd < 0 && errno == ENOENT && !make_root) {
        return core::Poll::Fail(Status::InvalidInput(fmt::format(
            "{}: no stack here (run `pgstack up` first, or pass --state-dir)", paths.root)));
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
      std::string who = ReadHolder(fd);
      return core::Poll::NotYet(who.empty() ? "another pgstack holds it" : "held by " + who);
    }
    if (!StillThere(fd, paths.lock_file)) {
      ::close(fd);
      fd = -1;
      return core::Poll::NotYet("the directory was deleted; looking again");
    }
    return core::Poll::Ready();
  };
  Status s = core::WaitUntil({.what = "the lock of " + paths.root,
                              .timeout = timeout,
                              .backoff = {.first = std::chrono::milliseconds(5),
                                          .growth = 1.5,
                                          .max = std::chrono::milliseconds(200)},
                              .code = Code::kLockTimeout},
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
