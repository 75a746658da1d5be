#include "pgstack/core/port_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <utility>

#include "pgstack/core/os.h"

namespace pgstack::core {
namespace {

constexpr int kFirstPort = 20000;
constexpr int kPorts = 32768 - kFirstPort;
constexpr int kTries = 200;

// The folder, made sticky and open to every user (as /tmp is) so that processes of any user
// share it; false when it is not a folder we can use.
bool UsableLockDir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0777) == 0) ::chmod(dir.c_str(), 01777);
  struct stat st {};
  return ::lstat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode) &&
         ::access(dir.c_str(), W_OK | X_OK) == 0;
}

// The port's lock file, locked by us; -1 when another process holds it (or it cannot be made).
int LockPortFile(const std::string& dir, int port) {
  std::string path = dir + "/" + std::to_string(port) + ".lock";
  // Read-only is enough for flock, and lets another user's process lock a file we created.
  int fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) return -1;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

std::string PortLockDir() {
  std::error_code ec;
  auto tmp = std::filesystem::temp_directory_path(ec);
  return ((ec ? std::filesystem::path("/tmp") : tmp) / "pgstack-ports").string();
}

Result<PortLock> PortLock::Take(const std::string& host) {
  // Also checks that host is an address we can bind on.
  PGSTACK_ASSIGN_OR_RETURN(int kernels, FreePort(host));
  std::string dir = PortLockDir();
  if (!UsableLockDir(dir)) return PortLock(-1, kernels);
  int start = static_cast<int>(std::random_device{}() % kPorts);
  for (int i = 0; i < kTries; ++i) {
    int port = kFirstPort + (start + i) % kPorts;
    int fd = LockPortFile(dir, port);
    if (fd < 0) continue;
    if (!PortInUse(host, port)) return PortLock(fd, port);
    ::close(fd);
  }
  return PortLock(-1, kernels);
}

PortLock::PortLock(PortLock&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)), port_(std::exchange(o.port_, 0)) {}

PortLock& PortLock::operator=(PortLock&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
    port_ = std::exchange(o.port_, 0);
  }
  return *this;
}

PortLock::~PortLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace pgstack::core
