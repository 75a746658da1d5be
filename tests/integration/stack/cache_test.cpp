// Disposable stacks against real PostgreSQL 17 and PgBouncer: a cold `up` from the cluster cache
// passes the same checks as one from initdb, a damaged entry is rebuilt, concurrent first `up`s on
// an empty cache all succeed, and test mode runs without durability.
#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "child.h"
#include "fixture.h"
#include "pgstack/core/settings.h"
#include "pgstack/location/environment.h"

namespace pgstack::testing {
namespace {

namespace fs = std::filesystem;

// Stacks of environment `test` in state dirs of their own, on one cache folder of their own.
class Cache : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const auto& s : stacks_) RunPgstack(Args(s, {"destroy", "--yes"}), Env());
  }
  std::map<std::string, std::string> Env() const { return {{"XDG_CACHE_HOME", cache_home_}}; }
  std::string NewStateDir() {
    stacks_.push_back(TempDir("cache-stack") + "/s");
    return stacks_.back();
  }
  std::vector<std::string> Args(const std::string& state, std::vector<std::string> extra,
                                const std::string& env = "test") const {
    std::vector<std::string> a = {
        "--config", SourceDir() + "/config/database.json", "--env", env, "--state-dir", state};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  core::CommandOutput Up(const std::string& state) const {
    return RunPgstack(Args(state, {"up", "--pg-port", "0", "--pool-port", "0"}), Env());
  }
  nlohmann::json Json(const core::CommandOutput& out) const {
    size_t at = out.output.find('{');
    return nlohmann::json::parse(at == std::string::npos ? "" : out.output.substr(at), nullptr,
                                 false);
  }
  std::vector<std::string> CacheFolder() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(cache_home_ + "/pgstack"))
      names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

  std::string cache_home_ = TempDir("cache-home");
  std::vector<std::string> stacks_;
};

TEST_F(Cache, ColdUpFromTheCachePassesTheChecksOfAFreshInitdb) {
  std::string first = NewStateDir(), second = NewStateDir();
  auto made = Up(first);
  ASSERT_EQ(made.exit_code, 0) << made.output;
  EXPECT_NE(made.output.find("and cached its twin"), std::string::npos) << made.output;
  auto copied = Up(second);
  ASSERT_EQ(copied.exit_code, 0) << copied.output;
  EXPECT_NE(copied.output.find("from the cache"), std::string::npos) << copied.output;
  EXPECT_EQ(copied.output.find("initialized"), std::string::npos) << copied.output;

  // Settings in effect, logins direct and through PgBouncer, the database, extensions, SCRAM,
  // hba, file modes: everything but the timing-sensitive JSONB performance check.
  auto verify =
      RunPgstack(Args(second, {"--json", "verify", "--check", "postgres", "--check", "pgbouncer",
                               "--check", "security", "--check", "jsonb.script"}));
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  auto doc = Json(verify);
  ASSERT_TRUE(doc.contains("checks")) << verify.output;
  EXPECT_GE(doc["checks"].size(), 15u);

  // Per stack: its own password and its own files.
  EXPECT_NE(ReadText(first + "/credentials.json"), ReadText(second + "/credentials.json"));
  EXPECT_NE(ReadText(second + "/data/conf.d/pgstack.conf").find(second + "/run"),
            std::string::npos);

  auto list = RunPgstack({"--json", "cache", "list"}, Env());
  ASSERT_EQ(list.exit_code, 0) << list.output;
  auto listing = Json(list);
  ASSERT_EQ(listing["entries"].size(), 1u) << list.output;
  EXPECT_EQ(listing["dir"], cache_home_ + "/pgstack");
  EXPECT_TRUE(listing["entries"][0]["key"].get<std::string>().starts_with("pg17."));
  EXPECT_GT(listing["entries"][0]["bytes"].get<uint64_t>(), 1u << 20);

  auto clear = RunPgstack({"--json", "cache", "clear"}, Env());
  ASSERT_EQ(clear.exit_code, 0) << clear.output;
  EXPECT_EQ(Json(clear)["removed"], 1) << clear.output;
  EXPECT_EQ(Json(RunPgstack({"--json", "cache", "list"}, Env()))["entries"].size(), 0u);
}

// The twin is cached without waiting for the disk (its entry marked unflushed); the flush of
// the filesystem that a durable cold `up` makes for its own copy unmarks it.
TEST_F(Cache, ADurableColdUpFlushesTheUnflushedEntryItCopied) {
  std::string first = NewStateDir(), second = NewStateDir();
  ASSERT_EQ(Up(first).exit_code, 0);
  auto flushed = [&] {
    auto listing = Json(RunPgstack({"--json", "cache", "list"}, Env()));
    EXPECT_EQ(listing["entries"].size(), 1u) << listing.dump();
    return listing["entries"][0]["flushed"].get<bool>();
  };
  EXPECT_FALSE(flushed());
  EXPECT_NE(RunPgstack({"cache", "list"}, Env()).output.find("not yet flushed"), std::string::npos);
  auto cold =
      RunPgstack(Args(second, {"up", "--pg-port", "0", "--pool-port", "0"}, "development"), Env());
  ASSERT_EQ(cold.exit_code, 0) << cold.output;
  EXPECT_NE(cold.output.find("from the cache"), std::string::npos) << cold.output;
  EXPECT_TRUE(flushed());
  RunPgstack(Args(second, {"destroy", "--yes"}, "development"), Env());
}

TEST_F(Cache, ADamagedEntryIsDroppedAndRebuiltAndUpSaysSo) {
  std::string first = NewStateDir(), second = NewStateDir(), third = NewStateDir();
  ASSERT_EQ(Up(first).exit_code, 0);
  auto names = CacheFolder();
  ASSERT_EQ(names.size(), 2u) << ::testing::PrintToString(names);
  std::string control = cache_home_ + "/pgstack/" + names[0] + "/data/global/pg_control";
  ASSERT_TRUE(fs::exists(control)) << control;
  fs::resize_file(control, 0);

  auto rebuilt = Up(second);
  ASSERT_EQ(rebuilt.exit_code, 0) << rebuilt.output;
  EXPECT_NE(rebuilt.output.find("and cached its twin"), std::string::npos) << rebuilt.output;
  EXPECT_NE(rebuilt.output.find("dropped the cache's damaged entry " + names[0] +
                                " (global/pg_control has 0 bytes, 8192 when it was cached)"),
            std::string::npos)
      << rebuilt.output;
  auto verify = RunPgstack(Args(second, {"verify", "--check", "postgres"}));
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  // The entry made anew is whole: the next cold `up` copies it.
  auto copied = Up(third);
  ASSERT_EQ(copied.exit_code, 0) << copied.output;
  EXPECT_NE(copied.output.find("from the cache"), std::string::npos) << copied.output;
}

TEST_F(Cache, ConcurrentFirstUpsOnAnEmptyCacheAllSucceedAndInitdbRunsOnce) {
  std::vector<std::string> states = {NewStateDir(), NewStateDir(), NewStateDir()};
  std::vector<core::CommandOutput> outs(states.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < states.size(); ++i)
    threads.emplace_back([&, i] { outs[i] = Up(states[i]); });
  for (auto& t : threads) t.join();
  int made = 0, copied = 0;
  for (const auto& out : outs) {
    EXPECT_EQ(out.exit_code, 0) << out.output;
    made += out.output.find("and cached its twin") != std::string::npos;
    copied += out.output.find("from the cache") != std::string::npos;
  }
  EXPECT_EQ(made, 1);
  EXPECT_EQ(copied, 2);
  // One entry and its lock; no temporary folder left behind.
  auto names = CacheFolder();
  ASSERT_EQ(names.size(), 2u) << ::testing::PrintToString(names);
  EXPECT_EQ(names[0] + ".lock", names[1]);
}

// A first `up` killed once its data directory is made, while the cache's twin is still being
// made beside it: the next `up` deletes what the twin left in the state dir, and fills the cache.
TEST_F(Cache, AnUpKilledWhileItMadeTheTwinLeavesNoneOfItBehind) {
  std::string state = NewStateDir();
  std::vector<std::string> argv = Args(state, {"up", "--pg-port", "0", "--pool-port", "0"});
  argv.insert(argv.begin(), PgstackBinary());
  pid_t pid = Spawn(argv, "", Env());
  std::string fill = state + "/data.fill";
  auto twin_left = [&] { return fs::exists(fill) || fs::exists(fill + ".init"); };
  Status made =
      WaitFor("the data directory", [&] { return fs::exists(state + "/data/PG_VERSION"); });
  bool caught = twin_left();
  KillAndReap(pid);
  ASSERT_TRUE(made.ok()) << made.message();
  if (!caught) GTEST_SKIP() << "the twin was whole before the data directory: no kill in between";
  EXPECT_TRUE(twin_left());
  auto again = Up(state);
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_FALSE(twin_left());
  // The killed fill left no entry a later `up` would copy: the next first `up` fills the cache.
  auto other = Up(NewStateDir());
  ASSERT_EQ(other.exit_code, 0) << other.output;
  EXPECT_NE(other.output.find("and cached its twin"), std::string::npos) << other.output;
}

// What of the application database provisioning decides: its row in pg_database, the
// databases beside it, its schemas and extensions with their owners and versions, and how many
// objects of each kind it holds.
constexpr const char* kDatabaseShape = R"sql(
SELECT concat_ws(E'\n',
  (SELECT concat_ws(' ', pg_get_userbyid(datdba), pg_encoding_to_char(encoding), datcollate,
                    datctype, datlocprovider, datistemplate, datallowconn, datconnlimit, datacl)
   FROM pg_database WHERE datname = current_database()),
  (SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database),
  (SELECT string_agg(concat_ws(' ', nspname, pg_get_userbyid(nspowner), nspacl), ','
                     ORDER BY nspname) FROM pg_namespace),
  (SELECT string_agg(concat_ws(' ', extname, pg_get_userbyid(extowner), extversion,
                               extnamespace::regnamespace), ',' ORDER BY extname) FROM pg_extension),
  (SELECT string_agg(k || '=' || n, ',' ORDER BY k) FROM
     (SELECT relkind::text AS k, count(*) AS n FROM pg_class GROUP BY relkind
      UNION ALL SELECT 'proc', count(*) FROM pg_proc
      UNION ALL SELECT 'type', count(*) FROM pg_type
      UNION ALL SELECT 'opclass', count(*) FROM pg_opclass) kinds))
)sql";

TEST_F(Cache, TheSeedIsTheDatabaseProvisioningMakesAndVerifySaysSo) {
  std::string first = NewStateDir(), seeded = NewStateDir(), plain = NewStateDir();
  ASSERT_EQ(Up(first).exit_code, 0);
  auto from_seed = Up(seeded);
  ASSERT_EQ(from_seed.exit_code, 0) << from_seed.output;
  EXPECT_NE(from_seed.output.find("from the cache"), std::string::npos) << from_seed.output;
  EXPECT_NE(from_seed.output.find("(from the seed)"), std::string::npos) << from_seed.output;
  EXPECT_EQ(from_seed.output.find("created extension"), std::string::npos) << from_seed.output;
  auto env = Env();
  env["PGSTACK_CACHE"] = "off";
  auto made = RunPgstack(Args(plain, {"up", "--pg-port", "0", "--pool-port", "0"}), env);
  ASSERT_EQ(made.exit_code, 0) << made.output;
  EXPECT_NE(made.output.find("created extension btree_gist"), std::string::npos) << made.output;
  EXPECT_EQ(made.output.find("(from the seed)"), std::string::npos) << made.output;

  auto shape = [](const std::string& state) -> std::string {
    auto e = location::LoadEnvironment(SourceDir() + "/config/database.json", "test",
                                       core::ProcessEnv());
    auto ep = location::LocalEndpoints(*e, state);
    if (!ep.ok()) return ep.status().message();
    auto c = pg::Connection::Open(ep->direct);
    if (!c.ok()) return c.status().message();
    auto r = c->Exec(kDatabaseShape);
    return r.ok() ? std::string(r->scalar()) : r.status().message();
  };
  std::string want = shape(plain);
  EXPECT_NE(want.find(",btree_gist "), std::string::npos) << want;
  EXPECT_EQ(shape(seeded), want);
  auto verify = RunPgstack(Args(seeded, {"verify", "--check", "postgres"}));
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
}

TEST_F(Cache, TestModeRunsWithoutDurabilityAndSaysSo) {
  std::string state = NewStateDir();
  auto up = Up(state);
  ASSERT_EQ(up.exit_code, 0) << up.output;
  auto ep = location::LocalEndpoints(
      *location::LoadEnvironment(SourceDir() + "/config/database.json", "test", core::ProcessEnv()),
      state);
  ASSERT_TRUE(ep.ok()) << ep.status().message();
  auto c = pg::Connection::Open(ep->direct);
  ASSERT_TRUE(c.ok()) << c.status().message();
  for (const core::SettingSpec* s : core::SettingsOfKind(core::SettingDefault::Kind::kDurability)) {
    auto r = c->Exec("SHOW " + std::string(s->name));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->scalar(), "off") << s->name;
  }
  auto status = RunPgstack(Args(state, {"status"}));
  EXPECT_NE(status.output.find("test mode: durability off"), std::string::npos) << status.output;
  auto json = Json(RunPgstack(Args(state, {"--json", "status"})));
  EXPECT_EQ(json["postgres"]["durability"], "off") << json.dump();
  auto verify =
      Json(RunPgstack(Args(state, {"--json", "verify", "--check", "postgres.durability"})));
  ASSERT_EQ(verify["checks"].size(), 1u) << verify.dump();
  EXPECT_EQ(verify["checks"][0]["status"], "pass") << verify.dump();
  EXPECT_NE(verify["checks"][0]["detail"].get<std::string>().find("test mode"), std::string::npos);
}

}  // namespace
}  // namespace pgstack::testing
