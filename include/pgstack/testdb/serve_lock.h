// One `testdb serve` per stack: a core::FileLock on a file in the state directory, held while a
// server runs and recording where it listens, so that a second one can say where the first one is.
#pragma once

#include <string>
#include <utility>

#include "pgstack/core/file_lock.h"
#include "pgstack/core/status.h"

namespace pgstack::testdb {

class ServeLock {
 public:
  // Takes the lock of state_dir for a server reachable at url. Failure (exit 1) naming the
  // running server's pid and address when another one holds it.
  static Result<ServeLock> Acquire(const std::string& state_dir, const std::string& url);
  // Rewrites where this server runs (once its port is known).
  Status Describe(const std::string& url);

 private:
  explicit ServeLock(core::FileLock lock) : lock_(std::move(lock)) {}
  core::FileLock lock_;
};

}  // namespace pgstack::testdb
