#include "state_lock.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "pgstack/core/wait.h"
#include "pgstack/location/stack_state.h"

namespace pgstack::stack {
namespace {

std::chrono::milliseconds StateLockTimeout() {
  if (const char* v = std::getenv("PGSTACK_LOCK_TIMEOUT"); v && *v) {
    char* end = nullptr;
    double s = std::strtod(v, &end);
    if (*end == '\0' && s >= 0) return std::chrono::milliseconds(static_cast<long long>(s * 1000));
  }
  return std::chrono::seconds(30);
}

}  // namespace

Result<core::FileLock> LockStateDir(const StatePaths& paths, const std::string& command,
                                    std::optional<core::Owner> make_root,
                                    const std::function<void(const std::string&)>& on_wait) {
  const std::chrono::milliseconds timeout = StateLockTimeout();
  core::FileLockOptions o{.timeout = timeout, .what = "the lock of " + paths.root};
  o.before_open = [&]() -> Status {
    if (make_root) return core::MakeDirs(paths.root, 0700, *make_root);
    std::error_code ec;
    if (!std::filesystem::exists(paths.root, ec)) return location::NoStack(paths.root);
    return Status::Ok();
  };
  if (on_wait) {
    o.on_wait = [&](const std::string& why) {
      on_wait(fmt::format("waiting for the lock of {} ({}), at most {}", paths.root, why,
                          core::FormatWaitDuration(timeout)));
    };
  }
  PGSTACK_ASSIGN_OR_RETURN(core::FileLock lock, core::FileLock::Acquire(paths.lock_file, o));
  (void)lock.Record(command);  // only what a waiter says depends on it
  return lock;
}

}  // namespace pgstack::stack
