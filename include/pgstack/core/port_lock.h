// A TCP port taken so that no other pgstack process on this machine takes it too, as PgBouncer's
// test suite takes its ports: a lock file per port in one folder every pgstack process uses,
// held (flock) by this process, and a bind probe that nothing listens there. "Bind port 0 and
// let it go" alone lets two processes that start at once get the same port.
#pragma once

#include <string>

#include "pgstack/core/status.h"

namespace pgstack::core {

class PortLock {
 public:
  // A free port on host (between 20000 and 32767, below Linux's ephemeral ports, so that no
  // outgoing connection holds it either), locked until this object is destroyed or the process
  // ends however it ends. Where the lock folder cannot be used, a port the kernel calls free.
  static Result<PortLock> Take(const std::string& host);

  PortLock(PortLock&& o) noexcept;
  PortLock& operator=(PortLock&& o) noexcept;
  PortLock(const PortLock&) = delete;
  PortLock& operator=(const PortLock&) = delete;
  ~PortLock();

  int port() const { return port_; }

 private:
  PortLock(int fd, int port) : fd_(fd), port_(port) {}
  int fd_ = -1;  // the flock'ed lock file; -1 without one
  int port_ = 0;
};

// The folder of the lock files: <temp dir>/pgstack-ports.
std::string PortLockDir();

}  // namespace pgstack::core
