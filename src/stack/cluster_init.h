// A cold `up`'s data directory, from the cluster cache or from initdb.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "background_task.h"
#include "cluster.h"

namespace pgstack::stack {

// Where FindPgBinaries remembers what `postgres --version` said: pgstack.versions beside the
// cache's folder ($XDG_CACHE_HOME/pgstack, else ~/.cache/pgstack); "" without a cache
// (PGSTACK_CACHE=off, or no home).
std::string VersionMemoDir();

// How a cold `up` gets its data directory: a copy of the cache's cluster of the same recipe, or
// initdb (whose cluster then fills the cache). The cache only ever saves time: when it cannot be
// used (no home, unwritable, locked too long, a failing copy), initdb runs as before and the
// returned action says why. `durable`: sync what was written (test mode skips that).
// PGSTACK_CACHE=off in the environment turns the cache off. version_line: PgBinaries'.
// The data directory is complete when this returns; what remains (syncs, the cache's fill)
// is the returned task, held: Release() it once the files still to be written into the data
// directory are there (its flush then covers them unsynced), and Wait() gives the action. `seed`:
// the extensions of the seed database (seed_database.h) the cache's clusters have; a data
// directory initdb made has none.
Result<BackgroundTask> InitDataDir(Cluster& cluster, bool durable, const std::string& version_line,
                                   std::optional<std::vector<std::string>> seed);

// Deletes what a killed `up` left of the cache's cluster it was making in the state dir (a
// folder that will not go is left to the next `up`); an error only when a signal stopped it.
Status RemoveUnfinishedFill(const StatePaths& paths);

}  // namespace pgstack::stack
