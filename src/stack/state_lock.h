// The lock of a state directory. up, down, destroy and promote take it before they look at or
// change anything in the directory, so that two of them never interleave (four `up`s at once on a
// fresh directory: the first builds the stack, the others find it). A core::FileLock on
// <dir>/.lock that records its command, so that a waiter can say whom it waits for.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "internal.h"
#include "pgstack/core/file_lock.h"
#include "pgstack/core/files.h"

namespace pgstack::stack {

// Waits for the lock of the directory of `paths`, as `command` ("pgstack up"), at most
// $PGSTACK_LOCK_TIMEOUT seconds, else 30 s (then kLockTimeout, exit 4): long enough for another
// `up` that builds a cluster from nothing on a loaded machine, short enough to notice a hung one.
// With `make_root`, creates the directory (0700, that owner) first, and again should a destroy
// remove it meanwhile; without, a directory that is not there is location::NoStack. When the lock
// is held, on_wait gets one line at once: that we wait, and for whom (the live holder).
Result<core::FileLock> LockStateDir(const StatePaths& paths, const std::string& command,
                                    std::optional<core::Owner> make_root = std::nullopt,
                                    const std::function<void(const std::string&)>& on_wait = {});

}  // namespace pgstack::stack
