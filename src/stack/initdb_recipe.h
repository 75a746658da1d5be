// What decides the cluster initdb writes, and so the key of the cluster cache.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "internal.h"

namespace pgstack::stack {

// Everything that decides what initdb writes: two equal recipes give interchangeable clusters.
struct InitdbRecipe {
  // Bumped whenever pgstack changes what it does to a fresh cluster (Cluster::Init), so that
  // entries made by an older pgstack are not used.
  static constexpr int kVersion = 2;  // 2: the seed database

  std::string pg_version;  // `postgres --version`
  std::string build;       // size and mtime of postgres and initdb: a rebuild is another build
  std::string locale = "C.UTF-8";
  std::string encoding = "UTF8";
  std::string auth_local = "peer";
  std::string auth_host = "scram-sha-256";
  int wal_segsize_mb = 16;
  bool data_checksums = false;
  std::string os_user;  // owns the files and is the bootstrap superuser (initdb -U)
  uid_t uid = 0;
  gid_t gid = 0;
  std::string timezone;  // initdb writes the machine's zone into postgresql.conf
  // The extensions of the seed database (seed_database.h) made after initdb; none: no seed.
  std::optional<std::vector<std::string>> seed;

  std::vector<std::string> InitdbArgs(const std::string& bin_dir,
                                      const std::string& data_dir) const;
  // "name: value" lines, in a fixed order; stored in the entry and compared on use.
  std::string Describe() const;
  // The entry's folder name: "pg17.10-" and 16 hex digits of a hash of Describe().
  std::string Key() const;
};

// Size and modification time of a file ("missing" when it is not there): a rebuilt or upgraded
// binary has another.
std::string FileId(const std::string& path);

// The recipe pgstack uses for binaries in bin_dir run as `service`. version_line is what
// `postgres --version` printed when the caller asked already (PgBinaries); when empty, postgres
// is asked here.
Result<InitdbRecipe> RecipeFor(const std::string& bin_dir, const core::OsUser& service,
                               core::ProcessRunner& runner, const std::string& version_line = "");

}  // namespace pgstack::stack
