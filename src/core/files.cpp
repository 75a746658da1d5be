#include "pgstack/core/files.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace pgstack::core {
namespace {

Status Errno(const std::string& what, const std::string& path) {
  return Status::Failure(fmt::format("{}: {}: {}", path, what, std::strerror(errno)));
}

// The rename is durable only once the directory's entry is: without this a crash can bring back
// the old file (or none) although WriteFileAtomic said OK.
Status SyncDirectoryOf(const std::string& path) {
  std::string parent = std::filesystem::path(path).parent_path().string();
  // Not `if (parent.empty()) parent = "."`: g++ 12 warns (-Wrestrict) on that assignment, falsely.
  const std::string dir = parent.empty() ? std::string(".") : parent;
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open directory to sync", dir);
  bool ok = ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  errno = saved;
  return ok ? Status::Ok() : Errno("cannot sync directory", dir);
}

}  // namespace

std::string TimestampNow() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%S", &tm);
  return fmt::format("{}.{:03}Z", buf, ms);
}

Result<std::optional<std::string>> ReadFileIfExists(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return std::optional<std::string>();
    return Errno("cannot read", path);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return std::optional<std::string>(ss.str());
}

Status WriteFileAtomic(const std::string& path, const std::string& content, mode_t mode,
                       std::optional<Owner> owner, bool sync) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Errno("cannot create", tmp);
  // open() applies the umask; the mode must be exactly what was asked for.
  bool ok = ::fchmod(fd, mode) == 0;
  if (ok && owner) ok = ::fchown(fd, owner->uid, owner->gid) == 0;
  size_t done = 0;
  while (ok && done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && (!sync || ::fsync(fd) == 0);
  int saved = errno;
  ::close(fd);
  if (!ok) {
    ::unlink(tmp.c_str());
    errno = saved;
    return Errno("cannot write", path);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    saved = errno;
    ::unlink(tmp.c_str());
    errno = saved;
    return Errno("cannot rename into place", path);
  }
  return sync ? SyncDirectoryOf(path) : Status::Ok();
}

Status RestoreFile(const std::string& path, const std::optional<std::string>& old, mode_t mode,
                   std::optional<Owner> owner) {
  if (old) return WriteFileAtomic(path, *old, mode, owner);
  std::error_code ec;
  std::filesystem::remove(path, ec);
  if (ec) return Status::Failure(fmt::format("cannot remove {}: {}", path, ec.message()));
  return Status::Ok();
}

Result<std::string> BackupFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Errno("cannot stat", path);
  PGSTACK_ASSIGN_OR_RETURN(auto content, ReadFileIfExists(path));
  std::string backup = fmt::format("{}.{}.bak", path, TimestampNow());
  // A backup is for its owner to restore from: readable by nobody else, whatever the file was
  // (a loosened credentials or userlist file must not be copied loose).
  PGSTACK_RETURN_IF_ERROR(WriteFileAtomic(backup, content.value_or(""), st.st_mode & 0600,
                                          Owner{st.st_uid, st.st_gid}));
  return backup;
}

Result<bool> ReplaceFile(const std::string& path, const std::string& content, mode_t mode,
                         std::optional<Owner> owner, bool sync) {
  PGSTACK_ASSIGN_OR_RETURN(auto old, ReadFileIfExists(path));
  if (old && *old == content) {
    struct stat st {};
    bool same_meta = ::stat(path.c_str(), &st) == 0 && (st.st_mode & 07777) == mode &&
                     (!owner || (st.st_uid == owner->uid && st.st_gid == owner->gid));
    if (same_meta) return false;
  }
  if (old && !old->empty()) PGSTACK_RETURN_IF_ERROR(BackupFile(path).status());
  PGSTACK_RETURN_IF_ERROR(WriteFileAtomic(path, content, mode, owner, sync));
  return true;
}

Status MakeDirs(const std::string& path, mode_t mode, std::optional<Owner> owner) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec)
    return Status::Failure(fmt::format("{}: cannot create directory: {}", path, ec.message()));
  if (::chmod(path.c_str(), mode) != 0) return Errno("cannot chmod", path);
  if (owner && ::chown(path.c_str(), owner->uid, owner->gid) != 0)
    return Errno("cannot chown", path);
  return Status::Ok();
}

}  // namespace pgstack::core
