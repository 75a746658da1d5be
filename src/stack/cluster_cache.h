// The cache of initialised clusters (see pgstack/stack/cluster_cache.h for what it is for).
//
// Layout of the cache folder:
//   <key>/data        a cluster as Cluster::Init leaves it, never started
//   <key>/recipe.txt  InitdbRecipe::Describe(); its mtime is the entry's last use
//   <key>/manifest.txt  the cluster's files and sizes when cached (cache_manifest.h)
//   <key>/unflushed   while the entry may not be on disk yet: the boot that made it, and a
//                     tag of the fill; such an entry is trusted in that boot only
//   <key>.lock        flock: shared while copying out, exclusive while filling or evicting
//   .tmp-<key>-<pid>  an entry being filled; renamed to <key> once complete
// An entry appears by rename only, so a reader never sees half of one. Nothing waits for the
// disk while an entry is made: until a flush of its filesystem (a cold `up`'s) it is marked
// unflushed, and after a restart such an entry counts as damaged, for it may have been lost.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "copy_tree.h"
#include "initdb_recipe.h"
#include "internal.h"
#include "pgstack/core/file_lock.h"
#include "pgstack/stack/cluster_cache.h"

namespace pgstack::stack {

class ClusterCache {
 public:
  static constexpr uint64_t kDefaultMaxBytes = 1ull << 30;

  explicit ClusterCache(std::string dir, uint64_t max_bytes = kDefaultMaxBytes)
      : dir_(std::move(dir)), max_bytes_(max_bytes) {}
  const std::string& dir() const { return dir_; }

  // Waits at most `timeout` for the key's lock (0: one look); kLockTimeout when another pgstack
  // holds it that long.
  Result<core::FileLock> LockKey(const std::string& key, bool exclusive,
                                 std::chrono::milliseconds timeout);

  // What the cache holds for a recipe: nothing (or an entry of another recipe of the same key),
  // an entry whose files are as they were cached, or one damaged since (`damage` says how).
  struct Entry {
    enum State { kAbsent, kIntact, kDamaged } state;
    std::string damage;
    std::optional<std::string> unflushed;  // an intact entry's unflushed mark (Unflushed)
  };
  Entry Look(const InitdbRecipe& recipe) const;
  // Whether a complete, undamaged entry for this recipe is there.
  bool Has(const InitdbRecipe& recipe) const { return Look(recipe).state == Entry::kIntact; }
  // Copies the entry's cluster to data_dir (which must not exist) and marks the entry used.
  // Hold the key's lock.
  Result<CopyStats> CopyOut(const InitdbRecipe& recipe, const std::string& data_dir);
  // How Store takes data_dir: a copy (data_dir is left as it was), or the folder itself, moved
  // into the entry (copied, then deleted, when it is on another filesystem than the cache).
  enum class Take { kCopy, kMove };
  // Makes data_dir (a fresh cluster of recipe, never started) the key's entry: into a temporary
  // folder, renamed into place, marked unflushed; then evicts the oldest entries beyond the bound.
  // Where this boot has no id to mark it with, it is synced before its rename instead. After a
  // crash the entry is whole, absent, or found damaged. Hold the key's lock, exclusively.
  Status Store(const InitdbRecipe& recipe, const std::string& data_dir, Take take = Take::kCopy);
  // The key's unflushed mark (nullopt: none, the entry is on disk). Hold the key's lock.
  std::optional<std::string> Unflushed(const std::string& key) const;
  // After a flush of the filesystem that holds the key's entry, begun after `mark` was read:
  // the entry is on disk, and its mark goes, if it is still `mark` (another fill's stays). Only
  // a cache: it tries the key's lock once, and a failure leaves the mark for another time.
  void Flushed(const std::string& key, const std::string& mark);
  // Deletes the key's entry. Hold the key's lock, exclusively.
  Status Drop(const std::string& key);
  // Removes the least recently used entries (never `keep`, never one in use) until the cache
  // holds at most max_bytes; also leftovers of fills that died.
  Status Evict(const std::string& keep);

  Result<std::vector<CachedCluster>> List() const;
  // Removes every entry not in use; returns how many.
  Result<int> Clear();

 private:
  std::string EntryDir(const std::string& key) const { return dir_ + "/" + key; }
  // Store's first step: data_dir, its manifest and the recipe in a temporary folder, returned.
  Result<std::string> Stage(const InitdbRecipe& recipe, const std::string& data_dir, Take take);
  // Removes an entry unless someone holds its lock.
  Result<bool> RemoveIfUnused(const std::string& key);

  std::string dir_;
  uint64_t max_bytes_;
};

// $XDG_CACHE_HOME/pgstack, else $HOME/.cache/pgstack; an error when neither is set.
Result<std::string> DefaultCacheDir(const core::EnvLookup& env);

}  // namespace pgstack::stack
