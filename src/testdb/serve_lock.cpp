#include "pgstack/testdb/serve_lock.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace pgstack::testdb {

Result<ServeLock> ServeLock::Acquire(const std::string& state_dir, const std::string& url) {
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  std::string path = (std::filesystem::absolute(state_dir, ec) / "testdb-serve.lock").string();
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Failure(fmt::format("{}: {}", path, std::strerror(errno)));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char buf[512] = {};
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    close(fd);
    std::string who = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "another process";
    while (!who.empty() && who.back() == '\n') who.pop_back();
    return Status::Failure(
        fmt::format("testdb serve already runs for this stack: {} (lock {})", who, path));
  }
  ServeLock lock(fd, path);
  PGSTACK_RETURN_IF_ERROR(lock.Describe(url));
  return lock;
}

Status ServeLock::Describe(const std::string& url) {
  std::string line = fmt::format("pid {} at {}\n", getpid(), url);
  if (ftruncate(fd_, 0) != 0 || pwrite(fd_, line.data(), line.size(), 0) < 0) {
    return Status::Failure(fmt::format("{}: {}", path_, std::strerror(errno)));
  }
  return Status::Ok();
}

ServeLock::~ServeLock() {
  if (fd_ < 0) return;
  // Emptied before the unlock, so that nobody reads a stale address from it.
  if (ftruncate(fd_, 0) != 0) {
  }
  close(fd_);
}

}  // namespace pgstack::testdb
