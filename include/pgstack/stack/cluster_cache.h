// The cache of initialised clusters: a cold `pgstack up` copies a cluster initdb made before
// (for the same PostgreSQL build, locale, encoding, authentication, WAL segment size, checksums
// and OS user) instead of running initdb again. It lives at $XDG_CACHE_HOME/pgstack, else
// ~/.cache/pgstack, and keeps at most 1 GiB, evicting the least recently used entries.
// `pgstack cache list` and `pgstack cache clear` look at it and empty it.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include "pgstack/core/status.h"

namespace pgstack::stack {

struct CachedCluster {
  std::string key;         // the entry's folder name, "pg17.10-<hash>"
  std::string path;        // its folder
  std::string pg_version;  // `postgres --version` of the binaries that made it
  std::string os_user;     // who owns its files
  uint64_t bytes = 0;
  std::time_t last_used = 0;
  bool flushed = true;  // false: maybe not on disk yet, so trusted until the next restart only
};

struct ClusterCacheListing {
  std::string dir;
  uint64_t max_bytes = 0;
  std::vector<CachedCluster> entries;  // most recently used first
};

// The cache of this process's environment ($XDG_CACHE_HOME or $HOME); empty when it does not
// exist yet.
Result<ClusterCacheListing> ListClusterCache();
// Removes every entry that no `up` is copying right now; returns how many it removed.
Result<int> ClearClusterCache();

}  // namespace pgstack::stack
