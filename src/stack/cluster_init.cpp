#include "cluster_init.h"

#include <fmt/format.h>

#include <filesystem>

#include "cluster.h"
#include "cluster_cache.h"
#include "no_space.h"
#include "pgstack/core/files.h"

namespace pgstack::stack {
namespace {

namespace fs = std::filesystem;

// Long enough for another pgstack's initdb on a loaded machine; then we run our own.
constexpr auto kLockWait = std::chrono::minutes(3);

std::string Mb(uint64_t bytes) { return fmt::format("{} MB", (bytes + (1 << 19)) >> 20); }

// The cluster of the entry into paths.data, through a temporary name: a data directory that
// has PG_VERSION is always whole.
Result<std::string> CopyOut(ClusterCache& cache, const InitdbRecipe& recipe,
                            const StatePaths& paths, bool durable) {
  std::string tmp = paths.data + ".copy";
  std::error_code ec;
  fs::remove_all(tmp, ec);
  auto stats = cache.CopyOut(recipe, tmp);
  Status s = stats.status();
  if (s.ok() && fs::exists(paths.data, ec)) fs::remove(paths.data, ec);  // an empty leftover
  if (s.ok()) fs::rename(tmp, paths.data, ec);
  if (s.ok() && ec) s = Status::Failure(fmt::format("{}: cannot rename: {}", tmp, ec.message()));
  if (s.ok() && durable) s = SyncFilesystem(paths.data);
  if (!s.ok()) {
    fs::remove_all(tmp, ec);
    return IsNoSpace(s) ? NoSpaceError(s, "the cluster copied from the cache into " + paths.data)
                        : s;
  }
  return fmt::format("copied a PostgreSQL cluster into {} from the cache ({}, {}{})", paths.data,
                     recipe.Key(), Mb(stats->bytes), stats->reflinked ? ", reflinked" : "");
}

// initdb, then the cache gets a copy (errors there only cost the next `up` its speed).
Result<std::string> InitAndStore(Cluster& cluster, const InitdbRecipe& recipe, ClusterCache& cache,
                                 bool durable) {
  // One syncfs after the copy instead of initdb's fsync of every file.
  PGSTACK_RETURN_IF_ERROR(cluster.Init(recipe, /*sync=*/false));
  std::string made = "initialized a PostgreSQL cluster in " + cluster.paths().data;
  Status stored = cache.Store(recipe, cluster.paths().data);
  if (durable) PGSTACK_RETURN_IF_ERROR(SyncFilesystem(cluster.paths().data));
  if (!stored.ok()) return fmt::format("{} (not cached: {})", made, stored.message());
  return fmt::format("{} and cached it ({})", made, recipe.Key());
}

}  // namespace

Result<std::string> InitDataDir(Cluster& cluster, bool durable) {
  const core::OsUser& service = cluster.service();
  const std::string data = cluster.paths().data;
  std::string why_not;
  auto recipe = RecipeFor(cluster.bin_dir(), service, cluster.runner());
  auto dir = DefaultCacheDir(core::ProcessEnv());
  if (auto off = core::ProcessEnv()("PGSTACK_CACHE"); off && *off == "off") {
    why_not = "PGSTACK_CACHE=off";
  } else if (!recipe.ok()) {
    why_not = recipe.status().message();
  } else if (!dir.ok()) {
    why_not = dir.status().message();
  } else if (Status s = core::MakeDirs(*dir, 0700); !s.ok()) {
    why_not = s.message();
  }
  if (why_not.empty()) {
    ClusterCache cache(*dir);
    // Shared while copying out, so that many `up`s copy at once; exclusive to fill, so that
    // concurrent first `up`s run initdb once and the others wait and copy.
    for (bool exclusive : {false, true}) {
      auto lock = cache.LockKey(recipe->Key(), exclusive, kLockWait);
      if (!lock.ok()) {
        why_not = lock.status().message();
        break;
      }
      if (cache.Has(*recipe)) {
        auto copied = CopyOut(cache, *recipe, cluster.paths(), durable);
        // initdb needs as much room as the copy did: on a full disk it would only fail later.
        if (copied.ok() || IsNoSpace(copied.status())) return copied;
        why_not = copied.status().message();
        break;
      }
      if (exclusive) return InitAndStore(cluster, *recipe, cache, durable);
    }
  }
  InitdbRecipe plain = recipe.ok() ? *recipe : InitdbRecipe{};
  plain.os_user = service.name;
  PGSTACK_RETURN_IF_ERROR(cluster.Init(plain));
  return fmt::format("initialized a PostgreSQL cluster in {} (cache not used: {})", data, why_not);
}

}  // namespace pgstack::stack
