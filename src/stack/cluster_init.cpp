#include "cluster_init.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <filesystem>
#include <optional>

#include "cluster.h"
#include "cluster_cache.h"
#include "no_space.h"
#include "pgstack/core/files.h"
#include "pgstack/core/interrupt.h"
#include "pgstack/core/wait.h"

namespace pgstack::stack {
namespace {

namespace fs = std::filesystem;

// Long enough for another pgstack's initdb on a loaded machine; then we run our own.
constexpr auto kLockWait = std::chrono::minutes(3);

bool SameFilesystem(const std::string& a, const std::string& b) {
  struct stat sa {
  }, sb{};
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev;
}

std::string Mb(uint64_t bytes) { return fmt::format("{} MB", (bytes + (1 << 19)) >> 20); }

// The cluster of the entry (intact, as Look found it) into paths.data, through a temporary name:
// a data directory that has PG_VERSION is always whole. Its sync (durable) goes on beside the
// server's start.
Result<BackgroundTask> CopyOut(ClusterCache& cache, const InitdbRecipe& recipe,
                               const ClusterCache::Entry& entry, const StatePaths& paths,
                               bool durable) {
  std::string tmp = paths.data + ".copy";
  std::error_code ec;
  fs::remove_all(tmp, ec);
  auto stats = cache.CopyOut(recipe, tmp);
  Status s = stats.status();
  if (s.ok() && fs::exists(paths.data, ec)) fs::remove(paths.data, ec);  // an empty leftover
  if (s.ok()) fs::rename(tmp, paths.data, ec);
  if (s.ok() && ec) s = Status::Failure(fmt::format("{}: cannot rename: {}", tmp, ec.message()));
  std::string where = "the cluster copied from the cache into " + paths.data;
  if (!s.ok()) {
    fs::remove_all(tmp, ec);
    return IsNoSpace(s) ? NoSpaceError(s, where) : s;
  }
  Action made{ActionVerb::kCopied,
              fmt::format("a PostgreSQL cluster into {} from the cache ({}, {}{})", paths.data,
                          recipe.Key(), Mb(stats->bytes), stats->reflinked ? ", reflinked" : "")};
  if (!durable) return BackgroundTask(made);
  return BackgroundTask::Held([data = paths.data, where, made, cache, key = recipe.Key(),
                               unflushed = entry.unflushed]() mutable -> Result<Action> {
    Status synced = SyncFilesystem(data);
    if (!synced.ok()) return IsNoSpace(synced) ? NoSpaceError(synced, where) : synced;
    // The flush of the filesystem put an unflushed entry on it on disk too.
    if (unflushed && SameFilesystem(cache.dir(), data)) cache.Flushed(key, *unflushed);
    return made;
  });
}

// Where the cache's cluster is made: in the state dir, which the service user can write in (the
// cache's folder is the invoking user's alone); moved into the cache when whole.
std::string FillDir(const StatePaths& paths) { return paths.data + ".fill"; }

// Two initdbs at once, one a core: one cluster becomes the data directory, its twin (with the
// seed database) the cache's entry. Neither is a copy of the other, so the server starts as soon
// as the first is made, while the twin is still being made and moved into the cache under the
// key's lock (errors there only cost the next `up` its speed). Nothing waits for the twin's
// writes to reach the disk: the entry is marked unflushed until a cold `up` flushes them. `note`
// ends the action's line (what happened to a damaged entry). The data directory has no seed: the
// database is provisioned as without the cache.
Result<BackgroundTask> InitAndStore(Cluster& cluster, const InitdbRecipe& recipe,
                                    ClusterCache& cache, core::FileLock lock, bool durable,
                                    const std::string& note) {
  auto held = std::make_shared<core::FileLock>(std::move(lock));
  auto twin = std::make_shared<BackgroundTask>(BackgroundTask::Start(
      [&cluster, recipe, cache, held, fill = FillDir(cluster.paths())]() mutable -> Result<Action> {
        Status s = cluster.InitInto(fill, recipe, /*sync=*/false);
        if (s.ok()) s = cache.Store(recipe, fill, ClusterCache::Take::kMove);
        held.reset();  // the entry has its name: the `up`s waiting for it may copy it now
        if (s.ok()) return Action{};
        std::error_code ec;
        fs::remove_all(fill, ec);  // what a failed initdb or move left
        return s;
      }));
  InitdbRecipe bare = recipe;
  bare.seed.reset();
  // Flushed beside the server's start, after the configuration files (the task is held), and
  // only its own files: a syncfs would also wait for the twin's writes, and the server's
  // fsyncs behind it.
  PGSTACK_RETURN_IF_ERROR(cluster.Init(bare, /*sync=*/false));
  std::string data = cluster.paths().data;
  return BackgroundTask::Held([=]() -> Result<Action> {
    if (durable) PGSTACK_RETURN_IF_ERROR(SyncTree(data));
    Result<Action> cached = twin->Wait();
    std::string made = "a PostgreSQL cluster in " + data;
    if (!cached.ok())
      return Action{ActionVerb::kInitialized,
                    fmt::format("{} (not cached: {}){}", made, cached.status().message(), note)};
    return Action{ActionVerb::kInitialized,
                  fmt::format("{} and cached its twin ({}){}", made, recipe.Key(), note)};
  });
}

bool CacheTurnedOff() {
  auto off = core::ProcessEnv()("PGSTACK_CACHE");
  return off && *off == "off";
}

}  // namespace

Status RemoveUnfinishedFill(const StatePaths& paths) {
  for (const std::string& dir : {FillDir(paths), FillDir(paths) + ".init"}) {
    // A killed `up`'s initdb leaves its postgres writing on in the folder for a moment (to the
    // end of the input it was given): what it wrote meanwhile goes on the next look.
    Status gone =
        core::WaitUntil({.what = dir + " to be deleted", .timeout = std::chrono::seconds(5)}, [&] {
          std::error_code ec;
          fs::remove_all(dir, ec);
          return fs::exists(dir, ec) ? core::Poll::NotYet("a process still writes in it")
                                     : core::Poll::Ready();
        });
    // A folder that stays only costs room, and the next `up` tries again: only a signal stops.
    if (core::Interrupted()) return gone;
  }
  return Status::Ok();
}

std::string VersionMemoDir() {
  if (CacheTurnedOff()) return "";
  auto dir = DefaultCacheDir(core::ProcessEnv());
  // Beside the cache's folder, not in it: that folder holds entries and their locks only.
  return dir.ok() ? *dir + ".versions" : "";
}

Result<BackgroundTask> InitDataDir(Cluster& cluster, bool durable, const std::string& version_line,
                                   std::optional<std::vector<std::string>> seed) {
  const core::OsUser& service = cluster.service();
  const std::string data = cluster.paths().data;
  std::string why_not;
  auto recipe = RecipeFor(cluster.bin_dir(), service, cluster.runner(), version_line);
  if (recipe.ok()) recipe->seed = std::move(seed);
  auto dir = DefaultCacheDir(core::ProcessEnv());
  if (CacheTurnedOff()) {
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
      ClusterCache::Entry entry = cache.Look(*recipe);
      if (entry.state == ClusterCache::Entry::kIntact) {
        auto copied = CopyOut(cache, *recipe, entry, cluster.paths(), durable);
        // initdb needs as much room as the copy did: on a full disk it would only fail later.
        if (copied.ok() || IsNoSpace(copied.status())) return copied;
        why_not = copied.status().message();
        break;
      }
      if (exclusive) {
        std::string dropped;
        if (entry.state == ClusterCache::Entry::kDamaged) {
          // Gone before initdb runs, so that no `up` copies it meanwhile or after a failed fill.
          Status s = cache.Drop(recipe->Key());
          dropped = fmt::format("; dropped the cache's damaged entry {} ({}{})", recipe->Key(),
                                entry.damage, s.ok() ? "" : "; " + s.message());
        }
        return InitAndStore(cluster, *recipe, cache, std::move(*lock), durable, dropped);
      }
    }
  }
  InitdbRecipe plain = recipe.ok() ? *recipe : InitdbRecipe{};
  plain.os_user = service.name;
  plain.seed.reset();  // initdb syncs this cluster itself; the database is provisioned as usual
  PGSTACK_RETURN_IF_ERROR(cluster.Init(plain));
  return BackgroundTask(
      Action{ActionVerb::kInitialized,
             fmt::format("a PostgreSQL cluster in {} (cache not used: {})", data, why_not)});
}

}  // namespace pgstack::stack
