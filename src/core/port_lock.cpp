#include "pgstack/core/port_lock.h"

#include <fmt/format.h>
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
  if (!UsableLockDir(dir)) return PortLock(std::nullopt, kernels);
  int start = static_cast<int>(std::random_device{}() % kPorts);
  for (int i = 0; i < kTries; ++i) {
    int port = kFirstPort + (start + i) % kPorts;
    // Read-only, so that another user's process can lock a file we created. A port whose file
    // cannot be made or is held is passed over.
    auto lock = FileLock::Acquire(fmt::format("{}/{}.lock", dir, port),
                                  {.file_mode = 0644, .read_only = true});
    if (lock.ok() && !PortInUse(host, port)) return PortLock(std::move(*lock), port);
  }
  return PortLock(std::nullopt, kernels);
}

}  // namespace pgstack::core
