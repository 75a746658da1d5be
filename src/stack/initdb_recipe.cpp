#include "initdb_recipe.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <climits>
#include <cstdint>

namespace pgstack::stack {
namespace {

// FNV-1a: stable across builds and machines, unlike std::hash. The key only names a folder;
// the entry's stored description is compared in full before use.
uint64_t Fnv1a(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// Where initdb looks for the zone when TZ is unset (the servers' environment is clean).
std::string MachineTimezone() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/etc/localtime", buf, sizeof buf - 1);
  if (n > 0) return std::string(buf, n);
  return "/etc/localtime " + FileId("/etc/localtime");
}

}  // namespace

std::string FileId(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "missing";
  return fmt::format("{}:{}.{:09}", st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

std::vector<std::string> InitdbRecipe::InitdbArgs(const std::string& bin_dir,
                                                  const std::string& data_dir) const {
  std::vector<std::string> argv = {bin_dir + "/initdb",
                                   "-D",
                                   data_dir,
                                   "-U",
                                   os_user,
                                   "-E",
                                   encoding,
                                   "--locale=" + locale,
                                   "--auth-local=" + auth_local,
                                   "--auth-host=" + auth_host,
                                   fmt::format("--wal-segsize={}", wal_segsize_mb)};
  if (data_checksums) argv.push_back("--data-checksums");
  return argv;
}

std::string InitdbRecipe::Describe() const {
  return fmt::format(
      "recipe: {}\npostgres: {}\nbuild: {}\nlocale: {}\nencoding: {}\nauth-local: {}\n"
      "auth-host: {}\nwal-segsize: {}MB\ndata-checksums: {}\nos-user: {} ({}:{})\ntimezone: {}\n"
      "seed: {}\n",
      kVersion, pg_version, build, locale, encoding, auth_local, auth_host, wal_segsize_mb,
      data_checksums ? "on" : "off", os_user, uid, gid, timezone,
      seed ? fmt::format("database with extensions [{}]", fmt::join(*seed, ", ")) : "none");
}

std::string InitdbRecipe::Key() const {
  // "postgres (PostgreSQL) 17.10 (Debian ...)" -> "17.10": readable in the folder's name.
  size_t at = pg_version.find(") ");
  std::string version = at == std::string::npos
                            ? "unknown"
                            : pg_version.substr(at + 2, pg_version.find(' ', at + 2) - at - 2);
  for (char& c : version) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.') c = '_';
  }
  return fmt::format("pg{}-{:016x}", version, Fnv1a(Describe()));
}

Result<InitdbRecipe> RecipeFor(const std::string& bin_dir, const core::OsUser& service,
                               core::ProcessRunner& runner, const std::string& version_line) {
  InitdbRecipe r;
  r.pg_version = version_line;
  if (r.pg_version.empty()) {
    PGSTACK_ASSIGN_OR_RETURN(
        auto out,
        runner.Run(core::Command{.argv = {bin_dir + "/postgres", "--version"}, .timeout_s = 10}));
    r.pg_version = out.output.substr(0, out.output.find('\n'));
    if (out.exit_code != 0 || r.pg_version.empty())
      return Status::Failure(fmt::format("{}/postgres --version failed", bin_dir));
  }
  r.build = fmt::format("postgres {}, initdb {}", FileId(bin_dir + "/postgres"),
                        FileId(bin_dir + "/initdb"));
  r.os_user = service.name;
  r.uid = service.uid;
  r.gid = service.gid;
  r.timezone = MachineTimezone();
  return r;
}

}  // namespace pgstack::stack
