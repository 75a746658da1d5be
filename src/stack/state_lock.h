// The lock of a state directory. up, down and destroy take it before they look at or change
// anything in the directory, so that two of them never interleave (four `up`s at once on a fresh
// directory: the first builds the stack, the others find it). flock() on <dir>/.lock, released
// when the holder ends however it ends; the holder writes its pid and command into the file so
// that a waiter can say whom it waits for. The wait is bounded: kLockTimeout (exit 4).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "internal.h"
#include "pgstack/core/files.h"

namespace pgstack::stack {

class StateLock {
 public:
  // Waits at most `timeout` for the lock of the directory of `paths`. With `make_root`, creates
  // the directory (0700, that owner) first, and again should a destroy remove it meanwhile;
  // without, a directory that is not there is location::NoStack. When the lock is
  // held, on_wait gets one line at once: that we wait, and for whom (the live holder).
  static Result<StateLock> Acquire(const StatePaths& paths, const std::string& command,
                                   std::chrono::milliseconds timeout,
                                   std::optional<core::Owner> make_root = std::nullopt,
                                   const std::function<void(const std::string&)>& on_wait = {});
  // $PGSTACK_LOCK_TIMEOUT (seconds) when set, else 30 s: long enough for another `up` that
  // builds a cluster from nothing on a loaded machine, short enough to notice a hung one.
  static std::chrono::milliseconds DefaultTimeout();

  StateLock(StateLock&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  StateLock& operator=(StateLock&&) = delete;
  ~StateLock();

 private:
  explicit StateLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace pgstack::stack
