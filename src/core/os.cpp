#include "pgstack/core/os.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "pgstack/core/process.h"

namespace pgstack::core {
namespace {

// A bound socket on host:port, or -1 with errno set. With reuse, as PostgreSQL and PgBouncer
// bind (SO_REUSEADDR): connections of a server that just stopped, lingering in TIME_WAIT, do not
// make its port look taken, while a program listening on it still does.
int BindTcp(const std::string& host, int port, bool reuse) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  std::string h = host == "localhost" || host.empty() ? "127.0.0.1" : host;
  if (inet_pton(AF_INET, h.c_str(), &a.sin_addr) != 1) {
    errno = EINVAL;
    return -1;
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  if (reuse) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

}  // namespace

OsUser CurrentOsUser() {
  OsUser u{.name = "", .uid = geteuid(), .gid = getegid()};
  if (const passwd* pw = getpwuid(u.uid)) u.name = pw->pw_name;
  return u;
}

Result<OsUser> LookupOsUser(const std::string& name) {
  const passwd* pw = getpwnam(name.c_str());
  if (!pw) return Status::Failure(fmt::format("no OS user '{}'", name));
  return OsUser{.name = pw->pw_name, .uid = pw->pw_uid, .gid = pw->pw_gid};
}

Result<OsUser> ServiceUser() {
  OsUser me = CurrentOsUser();
  if (me.uid != 0) return me;
  if (auto pg = LookupOsUser("postgres"); pg.ok()) return pg;
  if (auto own = LookupOsUser("pgstack"); own.ok()) return own;
  Command add{.argv = {"/usr/sbin/useradd", "--system", "--user-group", "--no-create-home",
                       "--shell", "/usr/sbin/nologin", "pgstack"}};
  PGSTACK_ASSIGN_OR_RETURN(auto out, SystemProcessRunner().Run(add));
  if (out.exit_code != 0) {
    return Status::Failure("cannot create OS user 'pgstack' to run PostgreSQL (root may not): " +
                           out.output.substr(0, out.output.find('\n')));
  }
  return LookupOsUser("pgstack");
}

Status CheckReachable(const std::string& path, const OsUser& user) {
  if (user.uid == 0) return Status::Ok();
  std::filesystem::path p = std::filesystem::absolute(path).lexically_normal();
  for (std::filesystem::path dir = p;; dir = dir.parent_path()) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      mode_t need = st.st_uid == user.uid ? S_IXUSR : st.st_gid == user.gid ? S_IXGRP : S_IXOTH;
      if (!(st.st_mode & need)) {
        return Status::InvalidInput(fmt::format(
            "{}: OS user {} cannot reach this folder (PostgreSQL runs as {}): chmod o+x {}, or "
            "choose another --state-dir",
            dir.string(), user.name, user.name, dir.string()));
      }
    }
    if (dir == dir.root_path() || dir.empty()) break;
  }
  return Status::Ok();
}

Result<int> FreePort(const std::string& host) {
  int fd = BindTcp(host, 0, false);
  if (fd < 0)
    return Status::Failure(
        fmt::format("cannot find a free port on {}: {}", host, std::strerror(errno)));
  sockaddr_in a{};
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return static_cast<int>(ntohs(a.sin_port));
}

bool PortInUse(const std::string& host, int port) {
  int fd = BindTcp(host, port, true);
  if (fd >= 0) {
    close(fd);
    return false;
  }
  return errno == EADDRINUSE;
}

Result<std::string> RandomSecret() {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    return Status::Failure("OpenSSL's random number generator failed; no password generated");
  }
  std::string out;
  for (unsigned char b : bytes) out += kAlphabet[b % 64];
  return out;
}

}  // namespace pgstack::core
