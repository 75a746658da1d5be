// Work that goes on beside `up` on a thread of its own: the syncs that make a new data directory
// durable and the cluster cache's fill take a filesystem flush each, which need not hold up the
// server's start and provisioning. `up` waits for the work before it reports success, so that a
// failure still fails the `up`.
#pragma once

#include <functional>
#include <future>
#include <optional>
#include <string>

#include "pgstack/core/status.h"
#include "pgstack/stack/action.h"

namespace pgstack::stack {

class BackgroundTask {
 public:
  // Nothing to do: Wait() returns `done` at once.
  explicit BackgroundTask(Action done = {}) : done_(std::move(done)) {}
  // Starts `work` on a thread that leaves SIGINT and SIGTERM to the other threads (the waits of
  // the main thread stop at them). The work must not start processes: the runner kills a child
  // when the thread that forked it ends.
  static BackgroundTask Start(std::function<Result<Action>()> work);
  // The same work, held until Release() (or Wait()) starts it: for a flush that must come after
  // writes the caller has still to make (a new data directory's configuration files).
  static BackgroundTask Held(std::function<Result<Action>()> work);
  // Starts held work; nothing when there is none, or it runs already.
  void Release();
  // Whether work is held, not yet released.
  bool held() const { return held_ != nullptr; }
  BackgroundTask(BackgroundTask&&) = default;
  BackgroundTask& operator=(BackgroundTask&&) = default;
  // Waits for the work if it still runs: whatever fails, the thread never outlives its owner.
  ~BackgroundTask() = default;

  // Waits for the work and returns what it returned (once; later calls return the same).
  Result<Action> Wait();

 private:
  Action done_;
  std::function<Result<Action>()> held_;
  std::future<Result<Action>> work_;  // from std::async: its destructor joins
  std::optional<Result<Action>> result_;
};

}  // namespace pgstack::stack
