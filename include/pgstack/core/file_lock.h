// A lock that processes share through a file: flock(2) on an open file description, so that the
// kernel lets it go when its holder ends however it ends (kill -9 included) and no stale lock is
// ever left to clean up. Every lock pgstack takes across processes is one: a state directory's,
// a cluster cache entry's, a port's, `testdb serve`'s. A wait for one is bounded and goes through
// core::WaitUntil (Ctrl-C ends it), and a process that finds one held can say who holds it: the
// holder's own words when it recorded them (Record), else the kernel's pid and that process's name.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <utility>

#include "pgstack/core/status.h"

namespace pgstack::core {

enum class LockMode { kExclusive, kShared };

struct FileLockOptions {
  LockMode mode = LockMode::kExclusive;
  // How long Acquire waits while another process holds the lock; 0: one look.
  std::chrono::milliseconds timeout{0};
  // What the wait's messages call the lock ("the lock of /srv/stack"); the file's path when empty.
  std::string what;
  // Called once, at the first look that finds the lock held, with why it was not ready: "held by
  // pid 42 (pgstack up)".
  std::function<void(const std::string& why)> on_wait;
  // Runs before each opening of the file: the first, and again when the file was deleted while we
  // waited for it (a lock on a file no longer at its path protects nothing). It may make the
  // file's folder; a failure ends Acquire with that Status.
  std::function<Status()> before_open;
  mode_t file_mode = 0600;  // of a lock file that Acquire creates
  // Opens the file read-only: flock needs no more, so a process of another user can lock a file
  // that this one created (in a folder all users share); but such a holder cannot Record.
  bool read_only = false;
};

class FileLock {
 public:
  // Opens the file at path (creating it, never through a symlink) and locks it, looking again
  // while another process holds it until options.timeout has passed. When time is up,
  // kLockTimeout: "gave up waiting for <what> after 2 s: held by pid 42 (pgstack up)". Other
  // errors (the file cannot be opened) are kFailure; an interrupt, core::InterruptedStatus().
  static Result<FileLock> Acquire(const std::string& path, const FileLockOptions& options);

  FileLock(FileLock&& o) noexcept;
  FileLock& operator=(FileLock&& o) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  // Unlocks; what Record wrote is erased first, so that nobody reads a holder that is gone.
  ~FileLock();

  // Writes "pid <this process> (<doing>)" into the file, which is what a process that finds the
  // lock held then reports (LockHolder). For an exclusive lock not opened read-only.
  Status Record(const std::string& doing);

  const std::string& path() const { return path_; }

 private:
  explicit FileLock(std::string path) : path_(std::move(path)) {}
  void Release();

  int fd_ = -1;
  std::string path_;
  bool recorded_ = false;
};

// Who holds the lock on the file at path, as a process that waits for it says: "pid 42 (pgstack
// up)" as that holder recorded it, else "pid 42 (pgstack)" from the kernel's lock table and the
// process's name; never a pid that has exited. "another process" when nothing more is known
// (also when nobody holds it any more).
std::string LockHolder(const std::string& path);

}  // namespace pgstack::core
