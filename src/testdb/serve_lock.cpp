#include "pgstack/testdb/serve_lock.h"

#include <fmt/format.h>

#include <filesystem>

namespace pgstack::testdb {

Result<ServeLock> ServeLock::Acquire(const std::string& state_dir, const std::string& url) {
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  std::string path = (std::filesystem::absolute(state_dir, ec) / "testdb-serve.lock").string();
  auto lock = core::FileLock::Acquire(path, {.file_mode = 0644});
  if (!lock.ok() && lock.status().code() == Code::kLockTimeout) {
    return Status::Failure(fmt::format("testdb serve already runs for this stack: {} (lock {})",
                                       core::LockHolder(path), path));
  }
  if (!lock.ok()) return lock.status();
  ServeLock serve(std::move(*lock));
  PGSTACK_RETURN_IF_ERROR(serve.Describe(url));
  return serve;
}

Status ServeLock::Describe(const std::string& url) {
  return lock_.Record("pgstack testdb serve at " + url);
}

}  // namespace pgstack::testdb
