#include "copy_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

namespace pgstack::stack {
namespace {

// Closes a file descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_;
};

Status Errno(const std::string& what, const std::string& path) {
  return Status::Failure(fmt::format("{}: {}: {}", path, what, std::strerror(errno)));
}

class TreeCopier {
 public:
  TreeCopier() = default;
  explicit TreeCopier(const LiveCopy* live) : live_(live) {}
  Result<CopyStats> Run(const std::string& from, const std::string& to) {
    Fd src(::open(from.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!src.ok()) return Errno("cannot open", from);
    struct stat st {};
    if (::fstat(src.get(), &st) != 0) return Errno("cannot stat", from);
    if (::mkdir(to.c_str(), 0700) != 0) return Errno("cannot create", to);
    Fd dst(::open(to.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dst.ok()) return Errno("cannot open", to);
    PGSTACK_RETURN_IF_ERROR(CopyDir(src.get(), dst.get(), from, to, ""));
    PGSTACK_RETURN_IF_ERROR(SetMeta(dst.get(), st, to));
    return stats_;
  }

 private:
  Status SetMeta(int fd, const struct stat& st, const std::string& path) {
    if (root_ && ::fchown(fd, st.st_uid, st.st_gid) != 0) return Errno("cannot chown", path);
    // After chown, which clears set-id bits; mkdir/open applied the umask.
    if (::fchmod(fd, st.st_mode & 07777) != 0) return Errno("cannot chmod", path);
    return Status::Ok();
  }

  // A live tree's entry that is gone by the time it is opened.
  bool Vanished() const { return live_ && errno == ENOENT; }

  Status CopyDir(int src_dir, int dst_dir, const std::string& from, const std::string& to,
                 const std::string& rel) {
    DIR* d = ::fdopendir(::dup(src_dir));
    if (!d) return Errno("cannot list", from);
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
      if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
        names.emplace_back(e->d_name);
    }
    ::closedir(d);
    for (const std::string& name : names) {
      std::string src_path = from + "/" + name, dst_path = to + "/" + name;
      std::string child = rel.empty() ? name : rel + "/" + name;
      struct stat st {};
      if (::fstatat(src_dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (Vanished()) continue;
        return Errno("cannot stat", src_path);
      }
      if (live_ && live_->skip && live_->skip(child)) continue;
      if (S_ISDIR(st.st_mode)) {
        Fd s(::openat(src_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!s.ok() && Vanished()) continue;
        if (!s.ok()) return Errno("cannot open", src_path);
        if (::mkdirat(dst_dir, name.c_str(), 0700) != 0) return Errno("cannot create", dst_path);
        Fd t(::openat(dst_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!t.ok()) return Errno("cannot open", dst_path);
        PGSTACK_RETURN_IF_ERROR(CopyDir(s.get(), t.get(), src_path, dst_path, child));
        PGSTACK_RETURN_IF_ERROR(SetMeta(t.get(), st, dst_path));
      } else if (S_ISLNK(st.st_mode)) {
        std::vector<char> target(st.st_size + 1);
        ssize_t n = ::readlinkat(src_dir, name.c_str(), target.data(), target.size());
        if (n < 0 && Vanished()) continue;
        if (n < 0) return Errno("cannot read link", src_path);
        if (::symlinkat(std::string(target.data(), n).c_str(), dst_dir, name.c_str()) != 0)
          return Errno("cannot create link", dst_path);
        if (root_ &&
            ::fchownat(dst_dir, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0)
          return Errno("cannot chown", dst_path);
      } else if (S_ISREG(st.st_mode)) {
        PGSTACK_RETURN_IF_ERROR(CopyFile(src_dir, dst_dir, name, st, src_path, dst_path));
      }
      // Sockets, fifos and devices have no place in a data directory; they are left out.
    }
    return Status::Ok();
  }

  Status CopyFile(int src_dir, int dst_dir, const std::string& name, const struct stat& st,
                  const std::string& src_path, const std::string& dst_path) {
    Fd in(::openat(src_dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!in.ok() && Vanished()) return Status::Ok();
    if (!in.ok()) return Errno("cannot open", src_path);
    Fd out(::openat(dst_dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!out.ok()) return Errno("cannot create", dst_path);
    ++stats_.files;
    stats_.bytes += st.st_size;
    if (st.st_size > 0)
      PGSTACK_RETURN_IF_ERROR(CopyBytes(in.get(), out.get(), st.st_size, dst_path));
    return SetMeta(out.get(), st, dst_path);
  }

  Status CopyBytes(int in, int out, off_t size, const std::string& dst_path) {
    // Each way is tried once and dropped for the rest of the tree when the filesystem says no.
    if (try_clone_) {
      if (::ioctl(out, FICLONE, in) == 0) {
        stats_.reflinked = true;
        return Status::Ok();
      }
      try_clone_ = false;
    }
    off_t done = 0;
    while (try_range_ && done < size) {
      ssize_t n = ::copy_file_range(in, nullptr, out, nullptr, size - done, 0);
      if (n > 0) {
        done += n;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && done == 0 &&
          (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP ||
           errno == EPERM)) {
        try_range_ = false;
        break;
      }
      if (n < 0) return Errno("cannot copy into", dst_path);
      break;  // 0: the source is shorter than it was; keep what there is
    }
    if (done >= size) return Status::Ok();
    std::vector<char> buf(1 << 17);
    while (true) {
      ssize_t n = ::pread(in, buf.data(), buf.size(), done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Errno("cannot read for", dst_path);
      if (n == 0) return Status::Ok();
      for (ssize_t w = 0; w < n;) {
        ssize_t m = ::pwrite(out, buf.data() + w, n - w, done + w);
        if (m < 0 && errno == EINTR) continue;
        if (m < 0) return Errno("cannot write", dst_path);
        w += m;
      }
      done += n;
    }
  }

  const LiveCopy* live_ = nullptr;
  const bool root_ = ::geteuid() == 0;
  bool try_clone_ = true;
  bool try_range_ = true;
  CopyStats stats_;
};

}  // namespace

Result<CopyStats> CopyTree(const std::string& from, const std::string& to) {
  return TreeCopier().Run(from, to);
}

Result<CopyStats> CopyTree(const std::string& from, const std::string& to, const LiveCopy& live) {
  return TreeCopier(&live).Run(from, to);
}

Status SyncFilesystem(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.ok()) return Errno("cannot open", path);
  if (::syncfs(fd.get()) != 0) return Errno("cannot sync", path);
  return Status::Ok();
}

Status SyncTree(const std::string& path) {
  namespace fs = std::filesystem;
  std::vector<std::string> paths = {path};
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(path, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code e2;
    if (it->is_regular_file(e2) || it->is_directory(e2)) paths.push_back(it->path().string());
  }
  if (ec) return Status::Failure(fmt::format("{}: cannot list: {}", path, ec.message()));
  for (const std::string& p : paths) {  // start writeback everywhere: the fsyncs then overlap
    Fd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.ok()) ::sync_file_range(fd.get(), 0, 0, SYNC_FILE_RANGE_WRITE);
  }
  // Deepest first: a folder is flushed after the names in it.
  for (auto p = paths.rbegin(); p != paths.rend(); ++p) {
    Fd fd(::open(p->c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.ok() && errno == ENOENT) continue;  // a server running on the tree removed it
    if (!fd.ok()) return Errno("cannot open", *p);
    if (::fsync(fd.get()) != 0) return Errno("cannot sync", *p);
  }
  return Status::Ok();
}

uint64_t TreeBytes(const std::string& path) {
  namespace fs = std::filesystem;
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(path, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code e2;
    if (it->is_regular_file(e2)) total += it->file_size(e2);
  }
  return total;
}

}  // namespace pgstack::stack
