// The cluster cache without a server: the recipe's key, filling, copying out, eviction of the
// least recently used, and entries in use surviving eviction and `cache clear`.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "stack/cluster_cache.h"
#include "stack/initdb_recipe.h"
#include "stack/seed_database.h"

namespace pgstack::stack {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

InitdbRecipe Recipe() {
  InitdbRecipe r;
  r.pg_version = "postgres (PostgreSQL) 17.10";
  r.build = "postgres 100:1.0, initdb 50:1.0";
  r.os_user = "postgres";
  r.uid = 101;
  r.gid = 104;
  r.timezone = "/usr/share/zoneinfo/Etc/UTC";
  return r;
}

std::string TempDir() {
  char tmpl[] = "/tmp/pgstack-cache-test.XXXXXX";
  return mkdtemp(tmpl);
}

// A stand-in data directory: PG_VERSION, global/pg_control, a subfolder with a file of `bytes`
// bytes, modes as initdb leaves them.
std::string FakeData(const std::string& root, const std::string& name, size_t bytes) {
  std::string d = root + "/" + name;
  fs::create_directories(d + "/base/1");
  fs::create_directories(d + "/global");
  std::ofstream(d + "/PG_VERSION") << "17\n";
  std::ofstream(d + "/global/pg_control") << std::string(8192, 'c');
  std::ofstream(d + "/base/1/1259") << std::string(bytes, 'x');
  chmod(d.c_str(), 0700);
  chmod((d + "/PG_VERSION").c_str(), 0600);
  return d;
}

void SetLastUse(const ClusterCache& cache, const std::string& key, time_t when) {
  std::string f = cache.dir() + "/" + key + "/recipe.txt";
  struct timespec times[2] = {{when, 0}, {when, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, f.c_str(), times, 0), 0) << f;
}

TEST(InitdbRecipe, KeyChangesWithEverythingThatChangesInitdbsOutput) {
  InitdbRecipe base = Recipe();
  EXPECT_EQ(base.Key(), Recipe().Key());
  EXPECT_TRUE(base.Key().starts_with("pg17.10-")) << base.Key();
  std::map<std::string, InitdbRecipe> changed;
  auto vary = [&](const std::string& what, auto change) {
    InitdbRecipe r = Recipe();
    change(r);
    changed[what] = r;
  };
  vary("version", [](InitdbRecipe& r) { r.pg_version = "postgres (PostgreSQL) 17.11"; });
  vary("build", [](InitdbRecipe& r) { r.build = "postgres 101:1.0, initdb 50:1.0"; });
  vary("locale", [](InitdbRecipe& r) { r.locale = "en_US.UTF-8"; });
  vary("encoding", [](InitdbRecipe& r) { r.encoding = "LATIN1"; });
  vary("auth-local", [](InitdbRecipe& r) { r.auth_local = "trust"; });
  vary("auth-host", [](InitdbRecipe& r) { r.auth_host = "md5"; });
  vary("wal-segsize", [](InitdbRecipe& r) { r.wal_segsize_mb = 64; });
  vary("checksums", [](InitdbRecipe& r) { r.data_checksums = true; });
  vary("os-user", [](InitdbRecipe& r) { r.os_user = "pgstack"; });
  vary("uid", [](InitdbRecipe& r) { r.uid = 102; });
  vary("timezone", [](InitdbRecipe& r) { r.timezone = "/usr/share/zoneinfo/Europe/Paris"; });
  vary("seed", [](InitdbRecipe& r) { r.seed = std::vector<std::string>{}; });
  vary("seed's extensions", [](InitdbRecipe& r) { r.seed = {{"btree_gin"}}; });
  for (const auto& [what, r] : changed) EXPECT_NE(r.Key(), base.Key()) << what;
  EXPECT_NE(changed["seed"].Key(), changed["seed's extensions"].Key());
}

TEST(SeedDatabase, IsMadeWithTheConfiguredExtensionsUnlessNoRenameCouldGiveTheDatabase) {
  core::PostgresConfig cfg;
  cfg.database = "app";
  cfg.extensions = {"btree_gist", "btree_gin"};
  EXPECT_EQ(SeedFor(cfg), (std::vector<std::string>{"btree_gist", "btree_gin"}));
  for (const char* taken : {"postgres", "template0", "template1", kSeedDatabase}) {
    cfg.database = taken;
    EXPECT_EQ(SeedFor(cfg), std::nullopt) << taken;
  }
}

// A fake runner that counts what it was asked to run.
class CountingRunner : public core::ProcessRunner {
 public:
  Result<core::CommandOutput> Run(const core::Command&) override {
    ++runs;
    return core::CommandOutput{.exit_code = 0, .output = "postgres (PostgreSQL) 17.9\n"};
  }
  int runs = 0;
};

TEST(InitdbRecipe, TakesTheVersionLineTheCallerReadAndAsksPostgresOnlyWithoutOne) {
  CountingRunner runner;
  core::OsUser service{.name = "postgres", .uid = 101, .gid = 104};
  auto given = RecipeFor("/nowhere/bin", service, runner, "postgres (PostgreSQL) 17.10 (Debian)");
  ASSERT_TRUE(given.ok()) << given.status().message();
  EXPECT_EQ(given->pg_version, "postgres (PostgreSQL) 17.10 (Debian)");
  EXPECT_EQ(runner.runs, 0);
  auto asked = RecipeFor("/nowhere/bin", service, runner);
  ASSERT_TRUE(asked.ok()) << asked.status().message();
  EXPECT_EQ(asked->pg_version, "postgres (PostgreSQL) 17.9");
  EXPECT_EQ(runner.runs, 1);
}

TEST(InitdbRecipe, InitdbArgsSayWhatTheKeySays) {
  InitdbRecipe r = Recipe();
  auto argv = r.InitdbArgs("/bin17", "/st/data");
  std::vector<std::string> want = {"/bin17/initdb",
                                   "-D",
                                   "/st/data",
                                   "-U",
                                   "postgres",
                                   "-E",
                                   "UTF8",
                                   "--locale=C.UTF-8",
                                   "--auth-local=peer",
                                   "--auth-host=scram-sha-256",
                                   "--wal-segsize=16"};
  EXPECT_EQ(argv, want);
  r.data_checksums = true;
  EXPECT_EQ(r.InitdbArgs("/bin17", "/st/data").back(), "--data-checksums");
  EXPECT_TRUE(
      InitdbRecipe{.pg_version = "postgres (PostgreSQL) 17.10 (Debian 17.10-1)"}.Key().starts_with(
          "pg17.10-"));
}

TEST(ClusterCache, AnEntryWhoseFilesChangedSinceItWasCachedIsDamaged) {
  std::string root = TempDir();
  ClusterCache cache(root + "/cache");
  fs::create_directories(cache.dir());
  InitdbRecipe r = Recipe();
  std::string entry = cache.dir() + "/" + r.Key();
  auto fill = [&] {
    auto lock = cache.LockKey(r.Key(), true, milliseconds(0));
    ASSERT_TRUE(lock.ok()) << lock.status().message();
    ASSERT_TRUE(cache.Store(r, FakeData(root, "made", 4096)).ok());
    ASSERT_EQ(cache.Look(r).state, ClusterCache::Entry::kIntact);
  };
  auto damage = [&] { return cache.Look(r).damage; };

  fill();
  fs::resize_file(entry + "/data/global/pg_control", 0);
  EXPECT_EQ(cache.Look(r).state, ClusterCache::Entry::kDamaged);
  EXPECT_EQ(damage(), "global/pg_control has 0 bytes, 8192 when it was cached");
  fs::remove_all(root + "/made");

  fill();  // the same size, another content
  std::ofstream(entry + "/data/global/pg_control") << std::string(8192, 'd');
  EXPECT_EQ(damage(), "global/pg_control has changed");
  fs::remove_all(root + "/made");

  fill();
  fs::remove(entry + "/data/base/1/1259");
  EXPECT_EQ(damage(), "base/1/1259 is missing");
  fs::remove_all(root + "/made");

  fill();  // an entry made before entries had a manifest
  fs::remove(entry + "/manifest.txt");
  EXPECT_EQ(damage(), "no manifest");
  {
    auto lock = cache.LockKey(r.Key(), true, milliseconds(0));
    ASSERT_TRUE(lock.ok());
    ASSERT_TRUE(cache.Drop(r.Key()).ok());
  }
  EXPECT_EQ(cache.Look(r).state, ClusterCache::Entry::kAbsent);
  fs::remove_all(root);
}

// An entry is named before its writes reach the disk, marked with the boot that made it: trusted
// in that boot, damaged after a restart (it may have been lost), and unmarked once a flush of its
// filesystem that began after the mark was read has ended.
TEST(ClusterCache, AnUnflushedEntryIsTrustedUntilARestartAndAFlushUnmarksIt) {
  std::string root = TempDir();
  ClusterCache cache(root + "/cache");
  fs::create_directories(cache.dir());
  InitdbRecipe r = Recipe();
  std::string mark_file = cache.dir() + "/" + r.Key() + "/unflushed";
  auto fill = [&] {
    auto lock = cache.LockKey(r.Key(), true, milliseconds(0));
    ASSERT_TRUE(lock.ok()) << lock.status().message();
    ASSERT_TRUE(cache.Store(r, FakeData(root, "made", 4096), ClusterCache::Take::kMove).ok());
  };
  std::ifstream boot_in("/proc/sys/kernel/random/boot_id");
  std::string boot;
  std::getline(boot_in, boot);
  ASSERT_FALSE(boot.empty());

  fill();
  auto mark = cache.Unflushed(r.Key());
  ASSERT_TRUE(mark.has_value());
  EXPECT_TRUE(mark->starts_with(boot + " ")) << *mark;
  EXPECT_EQ(cache.Look(r).state, ClusterCache::Entry::kIntact);
  EXPECT_FALSE(cache.List()->at(0).flushed);

  // Another fill's mark stays: its writes may have begun after the flush did.
  cache.Flushed(r.Key(), "another fill's mark\n");
  EXPECT_TRUE(fs::exists(mark_file));
  // Not while an exclusive holder (a fill, an eviction) has the key: tried again another time.
  {
    auto held = cache.LockKey(r.Key(), true, milliseconds(0));
    ASSERT_TRUE(held.ok());
    cache.Flushed(r.Key(), *mark);
    EXPECT_TRUE(fs::exists(mark_file));
  }
  cache.Flushed(r.Key(), *mark);
  EXPECT_FALSE(fs::exists(mark_file));
  EXPECT_FALSE(cache.Unflushed(r.Key()).has_value());
  EXPECT_TRUE(cache.List()->at(0).flushed);
  EXPECT_EQ(cache.Look(r).state, ClusterCache::Entry::kIntact);

  fill();  // as a restart leaves it: the mark of another boot
  std::ofstream(mark_file) << "00000000-another-boot 1-1\n";
  EXPECT_EQ(cache.Look(r).state, ClusterCache::Entry::kDamaged);
  EXPECT_EQ(cache.Look(r).damage, "cached before the machine restarted, and never flushed to disk");
  fs::remove_all(root);
}

TEST(ClusterCache, DirFollowsXdgThenHome) {
  auto env = [](std::map<std::string, std::string> vars) {
    return [vars](const std::string& k) -> std::optional<std::string> {
      auto it = vars.find(k);
      return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
  };
  EXPECT_EQ(*DefaultCacheDir(env({{"XDG_CACHE_HOME", "/x"}, {"HOME", "/h"}})), "/x/pgstack");
  EXPECT_EQ(*DefaultCacheDir(env({{"HOME", "/h"}})), "/h/.cache/pgstack");
  // The XDG spec: a relative XDG_CACHE_HOME is invalid and ignored.
  EXPECT_EQ(*DefaultCacheDir(env({{"XDG_CACHE_HOME", "rel"}, {"HOME", "/h"}})),
            "/h/.cache/pgstack");
  EXPECT_FALSE(DefaultCacheDir(env({})).ok());
}

TEST(ClusterCache, StoresAndCopiesOutAWholeCluster) {
  std::string root = TempDir();
  ClusterCache cache(root + "/cache");
  fs::create_directories(cache.dir());
  InitdbRecipe r = Recipe();
  EXPECT_FALSE(cache.Has(r));
  std::string data = FakeData(root, "made", 4096);
  {
    auto lock = cache.LockKey(r.Key(), true, milliseconds(0));
    ASSERT_TRUE(lock.ok()) << lock.status().message();
    ASSERT_TRUE(cache.Store(r, data).ok());
  }
  EXPECT_TRUE(cache.Has(r));
  // Only the entry and its lock: the temporary folder was renamed, not left behind.
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(cache.dir())) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{r.Key(), r.Key() + ".lock"}));

  auto copied = cache.CopyOut(r, root + "/copy");
  ASSERT_TRUE(copied.ok()) << copied.status().message();
  EXPECT_EQ(copied->files, 3u);
  EXPECT_EQ(copied->bytes, 4096u + 3u + 8192u);
  struct stat st {};
  ASSERT_EQ(stat((root + "/copy").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  ASSERT_EQ(stat((root + "/copy/PG_VERSION").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  std::ifstream in(root + "/copy/base/1/1259");
  std::string body((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(body, std::string(4096, 'x'));

  // Another recipe with the same key (a hash collision, or an edited entry) is not a hit.
  std::ofstream(cache.dir() + "/" + r.Key() + "/recipe.txt") << "something else\n";
  EXPECT_FALSE(cache.Has(r));
  fs::remove_all(root);
}

// The body of the entry's base/1/1259, or "" when there is none.
std::string EntryFile(const ClusterCache& cache, const InitdbRecipe& r) {
  std::ifstream in(cache.dir() + "/" + r.Key() + "/data/base/1/1259");
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

TEST(ClusterCache, AMovedFillBecomesTheEntryItselfAndACopiedOneLeavesItsSource) {
  std::string root = TempDir();
  ClusterCache cache(root + "/cache");
  fs::create_directories(cache.dir());
  InitdbRecipe r = Recipe();
  auto lock = cache.LockKey(r.Key(), true, milliseconds(0));
  ASSERT_TRUE(lock.ok()) << lock.status().message();
  std::string copied = FakeData(root, "copied", 100);
  ASSERT_TRUE(cache.Store(r, copied).ok());
  EXPECT_TRUE(fs::exists(copied + "/base/1/1259"));
  std::string moved = FakeData(root, "moved", 200);
  struct stat before {};
  ASSERT_EQ(stat(moved.c_str(), &before), 0);
  ASSERT_TRUE(cache.Store(r, moved, ClusterCache::Take::kMove).ok());
  EXPECT_FALSE(fs::exists(moved));
  EXPECT_TRUE(cache.Has(r));
  EXPECT_EQ(EntryFile(cache, r), std::string(200, 'x'));
  struct stat after {};
  ASSERT_EQ(stat((cache.dir() + "/" + r.Key() + "/data").c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino) << "the folder itself, not a copy";
  EXPECT_EQ(cache.List()->size(), 1u);
  fs::remove_all(root);
}

TEST(ClusterCache, AMoveAcrossFilesystemsCopiesAndThenDeletesTheSource) {
  std::string other = "/dev/shm";
  struct stat a {
  }, b{};
  std::string root = TempDir();
  if (stat(other.c_str(), &a) != 0 || stat(root.c_str(), &b) != 0 || a.st_dev == b.st_dev) {
    fs::remove_all(root);
    GTEST_SKIP() << "no second filesystem at " << other;
  }
  char tmpl[] = "/dev/shm/pgstack-cache-test.XXXXXX";
  std::string far = mkdtemp(tmpl);
  ClusterCache cache(root + "/cache");
  fs::create_directories(cache.dir());
  InitdbRecipe r = Recipe();
  std::string data = FakeData(far, "made", 300);
  ASSERT_TRUE(cache.Store(r, data, ClusterCache::Take::kMove).ok());
  EXPECT_FALSE(fs::exists(data));
  EXPECT_TRUE(cache.Has(r));
  EXPECT_EQ(EntryFile(cache, r), std::string(300, 'x'));
  fs::remove_all(root);
  fs::remove_all(far);
}

TEST(ClusterCache, EvictsLeastRecentlyUsedBeyondTheBoundButNeverWhatIsInUse) {
  std::string root = TempDir();
  // Room for two entries of ~1 MB.
  ClusterCache cache(root + "/cache", 2'500'000);
  fs::create_directories(cache.dir());
  std::vector<InitdbRecipe> recipes;
  for (int i = 0; i < 4; ++i) {
    InitdbRecipe r = Recipe();
    r.build = "build " + std::to_string(i);
    recipes.push_back(r);
  }
  std::string data = FakeData(root, "made", 1'000'000);
  time_t now = time(nullptr);
  ASSERT_TRUE(cache.Store(recipes[0], data).ok());
  ASSERT_TRUE(cache.Store(recipes[1], data).ok());
  SetLastUse(cache, recipes[0].Key(), now - 100);  // 0 is the oldest...
  SetLastUse(cache, recipes[1].Key(), now - 50);
  {
    // ...but an `up` copies from it right now.
    auto reader = cache.LockKey(recipes[0].Key(), false, milliseconds(0));
    ASSERT_TRUE(reader.ok());
    ASSERT_TRUE(cache.Store(recipes[2], data).ok());
    EXPECT_TRUE(cache.Has(recipes[0]));
    EXPECT_FALSE(cache.Has(recipes[1]));
    EXPECT_TRUE(cache.Has(recipes[2]));
  }
  SetLastUse(cache, recipes[2].Key(), now - 10);
  ASSERT_TRUE(cache.Store(recipes[3], data).ok());
  EXPECT_FALSE(cache.Has(recipes[0]));
  EXPECT_TRUE(cache.Has(recipes[2]));
  EXPECT_TRUE(cache.Has(recipes[3]));

  auto list = cache.List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].key, recipes[3].Key());  // most recently used first
  EXPECT_EQ((*list)[0].pg_version, "postgres (PostgreSQL) 17.10");
  EXPECT_EQ((*list)[0].os_user, "postgres (101:104)");
  EXPECT_GE((*list)[0].bytes, 1'000'000u);

  // The one just stored stays even when it alone is over the bound.
  ClusterCache tiny(cache.dir(), 1);
  InitdbRecipe big = Recipe();
  big.build = "big";
  ASSERT_TRUE(tiny.Store(big, data).ok());
  EXPECT_TRUE(tiny.Has(big));
  EXPECT_EQ(tiny.List()->size(), 1u);
  fs::remove_all(root);
}

TEST(ClusterCache, ClearLeavesAnEntryInUse) {
  std::string root = TempDir();
  ClusterCache cache(root + "/cache");
  fs::create_directories(cache.dir());
  InitdbRecipe a = Recipe(), b = Recipe();
  b.build = "other";
  std::string data = FakeData(root, "made", 10);
  ASSERT_TRUE(cache.Store(a, data).ok());
  ASSERT_TRUE(cache.Store(b, data).ok());
  auto reader = cache.LockKey(b.Key(), false, milliseconds(0));
  ASSERT_TRUE(reader.ok());
  // A filler waits for readers, bounded.
  auto filler = cache.LockKey(b.Key(), true, milliseconds(50));
  ASSERT_FALSE(filler.ok());
  EXPECT_EQ(filler.status().code(), Code::kLockTimeout);
  auto removed = cache.Clear();
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 1);
  EXPECT_FALSE(cache.Has(a));
  EXPECT_TRUE(cache.Has(b));
  fs::remove_all(root);
}

}  // namespace
}  // namespace pgstack::stack
