// One `testdb serve` per stack: a file in the state directory, flock()ed while a server runs
// and holding where it listens, so that a second one can say where the first one is.
#pragma once

#include <string>

#include "pgstack/core/status.h"

namespace pgstack::testdb {

class ServeLock {
 public:
  // Takes the lock of state_dir for a server reachable at url. Failure (exit 1) naming the
  // running server's pid and address when another one holds it.
  static Result<ServeLock> Acquire(const std::string& state_dir, const std::string& url);
  ServeLock(ServeLock&& o) noexcept : fd_(o.fd_), path_(std::move(o.path_)) { o.fd_ = -1; }
  ServeLock& operator=(ServeLock&&) = delete;
  ~ServeLock();
  const std::string& path() const { return path_; }
  // Rewrites where this server runs (once its port is known).
  Status Describe(const std::string& url);

 private:
  ServeLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
};

}  // namespace pgstack::testdb
