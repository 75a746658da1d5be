#include "cluster_cache.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <optional>

#include "cache_manifest.h"
#include "pgstack/core/files.h"

namespace pgstack::stack {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr const char* kRecipeFile = "recipe.txt";
constexpr const char* kManifestFile = "manifest.txt";
constexpr const char* kUnflushedFile = "unflushed";
constexpr const char* kTmpPrefix = ".tmp-";
// A fill older than this whose process is gone is a leftover.
constexpr auto kStaleTmp = std::chrono::minutes(10);

std::time_t MTime(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_mtime : 0;
}

// The value of "name: value" in a recipe description.
std::string Field(const std::string& text, const std::string& name) {
  std::string prefix = name + ": ";
  size_t at = text.rfind("\n" + prefix);
  size_t start =
      at == std::string::npos ? (text.starts_with(prefix) ? 0 : std::string::npos) : at + 1;
  if (start == std::string::npos) return "";
  start += prefix.size();
  return text.substr(start, text.find('\n', start) - start);
}

// This boot's id, from the kernel (nullopt where there is none to read).
std::optional<std::string> BootId() {
  auto id = core::ReadFileIfExists("/proc/sys/kernel/random/boot_id");
  if (!id.ok() || !*id) return std::nullopt;
  std::string text = **id;
  text.erase(text.find_last_not_of(" \n") + 1);
  if (text.empty()) return std::nullopt;
  return text;
}

// The paths in a folder (none when it cannot be read); never throws.
std::vector<std::string> Children(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    out.push_back(it->path().string());
  return out;
}

// Renames a folder out of sight, then deletes it: a reader never sees half of it by its name.
Status RemoveTree(const std::string& path, const std::string& graveyard) {
  std::error_code ec;
  fs::rename(path, graveyard, ec);
  const std::string& doomed = ec ? path : graveyard;
  fs::remove_all(doomed, ec);
  if (ec) return Status::Failure(fmt::format("{}: cannot delete: {}", doomed, ec.message()));
  return Status::Ok();
}

}  // namespace

Result<core::FileLock> ClusterCache::LockKey(const std::string& key, bool exclusive,
                                             milliseconds timeout) {
  return core::FileLock::Acquire(
      dir_ + "/" + key + ".lock",
      {.mode = exclusive ? core::LockMode::kExclusive : core::LockMode::kShared,
       .timeout = timeout});
}

ClusterCache::Entry ClusterCache::Look(const InitdbRecipe& recipe) const {
  std::string entry = EntryDir(recipe.Key());
  auto stored = core::ReadFileIfExists(entry + "/" + kRecipeFile);
  if (!stored.ok() || !*stored || **stored != recipe.Describe()) return {Entry::kAbsent, ""};
  std::optional<std::string> mark = Unflushed(recipe.Key());
  if (mark) {
    auto boot = BootId();
    if (!boot || mark->substr(0, mark->find(' ')) != *boot)
      return {Entry::kDamaged, "cached before the machine restarted, and never flushed to disk"};
  }
  auto manifest = core::ReadFileIfExists(entry + "/" + kManifestFile);
  Status s = !manifest.ok() ? manifest.status()
             : !*manifest   ? Status::Failure("no manifest")
                            : CheckManifest(entry + "/data", **manifest);
  if (!s.ok()) return {Entry::kDamaged, s.message()};
  return {Entry::kIntact, "", std::move(mark)};
}

Result<CopyStats> ClusterCache::CopyOut(const InitdbRecipe& recipe, const std::string& data_dir) {
  std::string entry = EntryDir(recipe.Key());
  PGSTACK_ASSIGN_OR_RETURN(CopyStats stats, CopyTree(entry + "/data", data_dir));
  // The entry's last use, for eviction (least recently used goes first).
  ::utimensat(AT_FDCWD, (entry + "/" + kRecipeFile).c_str(), nullptr, 0);
  return stats;
}

Status ClusterCache::Store(const InitdbRecipe& recipe, const std::string& data_dir, Take take) {
  PGSTACK_ASSIGN_OR_RETURN(std::string tmp, Stage(recipe, data_dir, take));
  std::string key = recipe.Key();
  std::error_code ec;
  // Nothing waits for the disk: the mark says which boot may trust the entry. Without a boot id,
  // complete on disk before it has its name.
  auto boot = BootId();
  Status s = boot ? core::WriteFileAtomic(
                        tmp + "/" + kUnflushedFile,
                        fmt::format("{} {}-{}\n", *boot, ::getpid(),
                                    std::chrono::steady_clock::now().time_since_epoch().count()),
                        0600, std::nullopt, false)
                  : SyncTree(tmp);
  if (s.ok()) {
    fs::remove_all(EntryDir(key), ec);  // an entry of the same key but another recipe
    if (::rename(tmp.c_str(), EntryDir(key).c_str()) != 0)
      s = Status::Failure(
          fmt::format("{}: cannot rename into place: {}", EntryDir(key), std::strerror(errno)));
  }
  if (!s.ok()) {
    fs::remove_all(tmp, ec);
    return s;
  }
  int d = boot ? -1 : ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d >= 0) {
    ::fsync(d);
    ::close(d);
  }
  return Evict(key);
}

std::optional<std::string> ClusterCache::Unflushed(const std::string& key) const {
  auto mark = core::ReadFileIfExists(EntryDir(key) + "/" + kUnflushedFile);
  if (!mark.ok()) return std::string();  // unreadable: not known to be on disk
  return *mark;
}

void ClusterCache::Flushed(const std::string& key, const std::string& mark) {
  auto lock = LockKey(key, /*exclusive=*/false, milliseconds(0));
  if (!lock.ok() || Unflushed(key) != mark) return;
  std::string path = EntryDir(key) + "/" + kUnflushedFile;
  ::unlink(path.c_str());
}

Result<std::string> ClusterCache::Stage(const InitdbRecipe& recipe, const std::string& data_dir,
                                        Take take) {
  std::string tmp = fmt::format("{}/{}{}-{}", dir_, kTmpPrefix, recipe.Key(), ::getpid());
  std::error_code ec;
  fs::remove_all(tmp, ec);
  PGSTACK_RETURN_IF_ERROR(core::MakeDirs(tmp, 0700));
  std::string into = tmp + "/data";
  Status s = Status::Ok();
  bool moved = take == Take::kMove && ::rename(data_dir.c_str(), into.c_str()) == 0;
  if (!moved && take == Take::kMove && errno != EXDEV)
    s = Status::Failure(
        fmt::format("{}: cannot move into {}: {}", data_dir, into, std::strerror(errno)));
  if (!moved && s.ok()) s = CopyTree(data_dir, into).status();
  if (!moved && s.ok() && take == Take::kMove) fs::remove_all(data_dir, ec);
  if (s.ok()) {
    auto manifest = MakeManifest(into);
    // Store's flush of the folder covers both files.
    s = manifest.ok()
            ? core::WriteFileAtomic(tmp + "/" + kManifestFile, *manifest, 0600, std::nullopt, false)
            : manifest.status();
  }
  if (s.ok())
    s = core::WriteFileAtomic(tmp + "/" + kRecipeFile, recipe.Describe(), 0600, std::nullopt,
                              false);
  if (!s.ok()) {
    fs::remove_all(tmp, ec);
    return s;
  }
  return tmp;
}

Result<bool> ClusterCache::RemoveIfUnused(const std::string& key) {
  auto lock = LockKey(key, true, milliseconds(0));
  if (!lock.ok())
    return lock.status().code() == Code::kLockTimeout ? Result<bool>(false)
                                                      : Result<bool>(lock.status());
  PGSTACK_RETURN_IF_ERROR(Drop(key));
  return true;
}

Status ClusterCache::Drop(const std::string& key) {
  return RemoveTree(EntryDir(key),
                    fmt::format("{}/{}gone-{}-{}", dir_, kTmpPrefix, key, ::getpid()));
}

Status ClusterCache::Evict(const std::string& keep) {
  PGSTACK_ASSIGN_OR_RETURN(auto entries, List());
  // Leftovers of fills whose process died: a fill in progress is younger than kStaleTmp.
  std::error_code ec;
  auto now = std::chrono::system_clock::now();
  for (const std::string& path : Children(dir_)) {
    if (!fs::path(path).filename().string().starts_with(kTmpPrefix)) continue;
    auto age = now - std::chrono::system_clock::from_time_t(MTime(path));
    if (age > kStaleTmp) fs::remove_all(path, ec);
  }
  uint64_t total = 0;
  for (const auto& e : entries) total += e.bytes;
  // List() gives the most recently used first: evict from the back.
  for (auto it = entries.rbegin(); it != entries.rend() && total > max_bytes_; ++it) {
    if (it->key == keep) continue;
    PGSTACK_ASSIGN_OR_RETURN(bool removed, RemoveIfUnused(it->key));
    if (removed) total -= it->bytes;
  }
  return Status::Ok();
}

Result<std::vector<CachedCluster>> ClusterCache::List() const {
  std::vector<CachedCluster> out;
  for (const std::string& path : Children(dir_)) {
    std::string name = fs::path(path).filename().string();
    if (name.starts_with(".")) continue;
    // Lock files and anything else without a recipe are not entries.
    std::string recipe_file = path + "/" + kRecipeFile;
    auto text = core::ReadFileIfExists(recipe_file);
    if (!text.ok() || !*text) continue;
    out.push_back(CachedCluster{.key = name,
                                .path = path,
                                .pg_version = Field(**text, "postgres"),
                                .os_user = Field(**text, "os-user"),
                                .bytes = TreeBytes(path),
                                .last_used = MTime(recipe_file),
                                .flushed = !fs::exists(path + "/" + kUnflushedFile)});
  }
  std::sort(out.begin(), out.end(), [](const CachedCluster& a, const CachedCluster& b) {
    return a.last_used != b.last_used ? a.last_used > b.last_used : a.key < b.key;
  });
  return out;
}

Result<int> ClusterCache::Clear() {
  PGSTACK_ASSIGN_OR_RETURN(auto entries, List());
  int removed = 0;
  for (const auto& e : entries) {
    PGSTACK_ASSIGN_OR_RETURN(bool gone, RemoveIfUnused(e.key));
    removed += gone;
  }
  return removed;
}

Result<std::string> DefaultCacheDir(const core::EnvLookup& env) {
  if (auto xdg = env("XDG_CACHE_HOME"); xdg && xdg->starts_with("/")) return *xdg + "/pgstack";
  if (auto home = env("HOME"); home && !home->empty()) return *home + "/.cache/pgstack";
  return Status::Failure("neither XDG_CACHE_HOME nor HOME is set: no place for the cluster cache");
}

Result<ClusterCacheListing> ListClusterCache() {
  PGSTACK_ASSIGN_OR_RETURN(std::string dir, DefaultCacheDir(core::ProcessEnv()));
  ClusterCache cache(dir);
  PGSTACK_ASSIGN_OR_RETURN(auto entries, cache.List());
  return ClusterCacheListing{
      .dir = dir, .max_bytes = ClusterCache::kDefaultMaxBytes, .entries = std::move(entries)};
}

Result<int> ClearClusterCache() {
  PGSTACK_ASSIGN_OR_RETURN(std::string dir, DefaultCacheDir(core::ProcessEnv()));
  std::error_code ec;
  if (!fs::exists(dir, ec)) return 0;
  return ClusterCache(dir).Clear();
}

}  // namespace pgstack::stack
