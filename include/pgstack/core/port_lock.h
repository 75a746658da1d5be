// A TCP port taken so that no other pgstack process on this machine takes it too, as PgBouncer's
// test suite takes its ports: a FileLock per port in one folder every pgstack process uses, held
// by this process, and a bind probe that nothing listens there. "Bind port 0 and let it go" alone
// lets two processes that start at once get the same port.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "pgstack/core/file_lock.h"
#include "pgstack/core/status.h"

namespace pgstack::core {

class PortLock {
 public:
  // A free port on host (between 20000 and 32767, below Linux's ephemeral ports, so that no
  // outgoing connection holds it either), locked until this object is destroyed or the process
  // ends however it ends. Where the lock folder cannot be used, a port the kernel calls free.
  static Result<PortLock> Take(const std::string& host);

  int port() const { return port_; }

 private:
  PortLock(std::optional<FileLock> lock, int port) : lock_(std::move(lock)), port_(port) {}
  std::optional<FileLock> lock_;  // none where the lock folder cannot be used
  int port_ = 0;
};

// The folder of the lock files: <temp dir>/pgstack-ports.
std::string PortLockDir();

}  // namespace pgstack::core
