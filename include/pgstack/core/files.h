// Files that must never be half-written: written to a temp file beside the target, fsynced,
// given their mode (and owner), renamed into place, and the directory fsynced. A file being
// replaced is first copied to "<name>.<UTC timestamp>.bak" with the same owner, readable by it
// alone.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "pgstack/core/status.h"

namespace pgstack::core {

struct Owner {
  uid_t uid;
  gid_t gid;
};

// Reads a whole file; nullopt when it does not exist.
Result<std::optional<std::string>> ReadFileIfExists(const std::string& path);

// Writes content atomically with the given mode, chowned to owner when given; durable when it
// returns, unless sync is false: then a later flush of its filesystem (syncfs) must cover it.
Status WriteFileAtomic(const std::string& path, const std::string& content, mode_t mode,
                       std::optional<Owner> owner = std::nullopt, bool sync = true);

// Puts a file back as it was: old content written atomically, or the file removed when old is
// nullopt (there was none). An error says the file is not as it was.
Status RestoreFile(const std::string& path, const std::optional<std::string>& old, mode_t mode,
                   std::optional<Owner> owner = std::nullopt);

// Copies path to path.<timestamp>.bak (same owner, mode 0600 at most) and returns its path.
Result<std::string> BackupFile(const std::string& path);

// Writes content atomically unless the file already holds exactly that; backs up the old
// content first when there was some. Returns true when it wrote. sync: as WriteFileAtomic's.
Result<bool> ReplaceFile(const std::string& path, const std::string& content, mode_t mode,
                         std::optional<Owner> owner = std::nullopt, bool sync = true);

// mkdir -p, then chmod/chown the last component.
Status MakeDirs(const std::string& path, mode_t mode, std::optional<Owner> owner = std::nullopt);

// UTC time as 20261126T163000Z, for backup names.
std::string TimestampNow();

}  // namespace pgstack::core
