#include "pgstack/core/file_lock.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "pgstack/core/process.h"
#include "pgstack/core/wait.h"

namespace pgstack::core {
namespace {

using std::chrono::milliseconds;

// The first line of the file: what its holder recorded (what follows is an earlier one's rest).
std::string ReadRecord(int fd) {
  char buf[512];
  ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string s(buf, n > 0 ? static_cast<size_t>(n) : 0);
  s = s.substr(0, s.find('\n'));
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// The pid of a process whose flock is on fd's file, from /proc/locks ("1: FLOCK ADVISORY WRITE
// <pid> <major>:<minor>:<inode> 0 EOF"); 0 when it does not say. The kernel's word, unlike the
// pid the holder recorded, which another can outlive (a child that inherited the descriptor).
pid_t KernelHolder(int fd) {
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
    return ParsePid(pid);
  }
  return 0;
}

std::string DescribeHolder(int fd) {
  std::string recorded = ReadRecord(fd);
  pid_t written = ParsePid(recorded.starts_with("pid ") ? recorded.substr(4) : "");
  pid_t holder = KernelHolder(fd);
  if (holder == 0 && ProcessAlive(written)) holder = written;
  if (holder == 0 || !ProcessAlive(holder)) return "another process";
  if (holder == written) return recorded;
  return fmt::format("pid {} ({})", holder, ProcessName(holder));
}

// Whether fd is still the file at path: a holder before us may have deleted it (a destroy deletes
// the state directory), and a lock on a deleted file protects nothing.
bool StillThere(int fd, const std::string& path) {
  struct stat a {
  }, b{};
  return ::fstat(fd, &a) == 0 && ::stat(path.c_str(), &b) == 0 && a.st_ino == b.st_ino &&
         a.st_dev == b.st_dev;
}

}  // namespace

Result<FileLock> FileLock::Acquire(const std::string& path, const FileLockOptions& o) {
  FileLock lock(path);
  const int flags = (o.read_only ? O_RDONLY : O_RDWR) | O_CREAT | O_NOFOLLOW | O_CLOEXEC;
  auto look = [&]() -> Poll {
    if (lock.fd_ < 0) {
      if (o.before_open) {
        if (Status s = o.before_open(); !s.ok()) return Poll::Fail(s);
      }
      lock.fd_ = ::open(path.c_str(), flags, o.file_mode);
      if (lock.fd_ < 0) {
        return Poll::Fail(Status::Failure(
            fmt::format("{}: cannot open the lock file: {}", path, std::strerror(errno))));
      }
    }
    if (::flock(lock.fd_, (o.mode == LockMode::kShared ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK && errno != EINTR) {
        return Poll::Fail(
            Status::Failure(fmt::format("{}: cannot lock: {}", path, std::strerror(errno))));
      }
      return Poll::NotYet("held by " + DescribeHolder(lock.fd_));
    }
    if (!StillThere(lock.fd_, path)) {
      lock.Release();
      return Poll::NotYet("the lock file was deleted; looking again");
    }
    return Poll::Ready();
  };
  PGSTACK_RETURN_IF_ERROR(
      WaitUntil({.what = o.what.empty() ? path : o.what,
                 .timeout = o.timeout,
                 .backoff = {.first = milliseconds(5), .growth = 1.5, .max = milliseconds(200)},
                 .code = Code::kLockTimeout,
                 .on_wait = o.on_wait,
                 // Once, at the first look that finds it held.
                 .report_every = o.timeout + std::chrono::hours(1)},
                look));
  return lock;
}

FileLock::FileLock(FileLock&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)),
      path_(std::move(o.path_)),
      recorded_(std::exchange(o.recorded_, false)) {}

FileLock& FileLock::operator=(FileLock&& o) noexcept {
  if (this != &o) {
    Release();
    fd_ = std::exchange(o.fd_, -1);
    path_ = std::move(o.path_);
    recorded_ = std::exchange(o.recorded_, false);
  }
  return *this;
}

FileLock::~FileLock() { Release(); }

void FileLock::Release() {
  if (fd_ < 0) return;
  if (recorded_) (void)!::ftruncate(fd_, 0);
  ::close(fd_);
  fd_ = -1;
  recorded_ = false;
}

Status FileLock::Record(const std::string& doing) {
  std::string line = fmt::format("pid {} ({})\n", ::getpid(), doing);
  if (::ftruncate(fd_, 0) != 0 ||
      ::pwrite(fd_, line.data(), line.size(), 0) != static_cast<ssize_t>(line.size())) {
    return Status::Failure(
        fmt::format("{}: cannot record the lock's holder: {}", path_, std::strerror(errno)));
  }
  recorded_ = true;
  return Status::Ok();
}

std::string LockHolder(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return "another process";
  std::string holder = DescribeHolder(fd);
  ::close(fd);
  return holder;
}

}  // namespace pgstack::core
