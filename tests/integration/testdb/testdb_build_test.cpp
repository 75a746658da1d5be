// Templates built by pgstack from a migrations directory, through the real binary: many
// builders of one hash at once, a builder killed mid-migration, a failing migration, gc, and
// that nothing but testdb's own databases is ever dropped.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <set>
#include <thread>

#include "pgstack/core/os.h"
#include "testdb_helpers.h"

namespace pgstack::testing {
namespace {

using nlohmann::json;

class TestdbBuild : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = TempDir("tdbmig"); }
  json GetJson(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"--json", "testdb", "get"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto out = TestStack::Shared().Pgstack(args);
    EXPECT_EQ(out.exit_code, 0) << out.output;
    size_t brace = out.output.find('{');
    return brace == std::string::npos ? json()
                                      : json::parse(out.output.substr(brace), nullptr, false);
  }
  std::string dir_;
};

TEST_F(TestdbBuild, EightProcessesBuildOneTemplateOnceAndAllGetDatabases) {
  // The migration takes a while, so that the eight overlap while one builds.
  WriteText(dir_ + "/0001_items.sql",
            "CREATE TABLE items (id int PRIMARY KEY, note text);\n"
            "INSERT INTO items VALUES (1, 'seed');\nSELECT pg_sleep(1);\n");
  std::vector<json> got(8);
  std::vector<std::thread> runners;
  for (int i = 0; i < 8; ++i) {
    runners.emplace_back([&, i] { got[i] = GetJson({"--dir", dir_}); });
  }
  for (auto& t : runners) t.join();
  std::set<std::string> hashes, databases, applied_at;
  for (const json& j : got) {
    ASSERT_TRUE(j.contains("config")) << j.dump();
    hashes.insert(j["templateHash"]);
    databases.insert(j["config"]["database"]);
    json db = {{"database", {{"config", j["config"]}}}};
    EXPECT_EQ(ScalarAt(db, "SELECT count(*) FROM items"), "1");
    // The history row comes from the template: one build stamps one time into all of them.
    applied_at.insert(ScalarAt(db, "SELECT applied_at::text FROM pgstack.schema_history"));
  }
  EXPECT_EQ(hashes.size(), 1u);
  EXPECT_EQ(databases.size(), 8u);
  EXPECT_EQ(applied_at.size(), 1u);
  std::string hash = *hashes.begin();
  EXPECT_EQ(AdminScalar("SELECT count(*) FROM pgstack_testdb.templates WHERE hash = '" + hash +
                        "' AND state = 'ready'"),
            "1");
  // The same directory names the same template: no rebuild.
  auto again = TestStack::Shared().Pgstack({"testdb", "template", "--dir", dir_});
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find(hash), std::string::npos);
}

TEST_F(TestdbBuild, AKilledBuilderLeavesNothingThatBlocksTheNext) {
  // Sleeps only while a marker database exists (pg_database is seen from every database): the
  // builder that is killed sleeps, the one after it does not. (pgstack clears PGOPTIONS for its
  // own connections to a local stack, so a setting in the builder's environment cannot do it.)
  std::string marker = "tdb_sleep_" + std::to_string(getpid());
  auto su = TestStack::Shared().Superuser();
  ASSERT_TRUE(su.ok()) << su.status().message();
  ASSERT_TRUE(su->Run("CREATE DATABASE " + marker).ok());
  WriteText(dir_ + "/0001_slow.sql",
            "CREATE TABLE slow (id int);\n"
            "DO $$ BEGIN IF EXISTS (SELECT FROM pg_database WHERE datname = '" +
                marker + "') THEN PERFORM pg_sleep(3600); END IF; END $$;\n");
  std::string log = TempDir("tdbkill") + "/builder.log";
  pid_t pid = TestStack::Shared().SpawnPgstack({"testdb", "template", "--dir", dir_}, log);
  // Killed once it is mid-migration: the template database exists and its row says building.
  Status building = WaitFor(
      "the builder to sleep in its migration",
      [] {
        auto c = TestStack::Shared().Superuser();
        if (!c.ok()) return false;
        auto r = c->Exec(
            "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(3600)%' "
            "AND datname LIKE 'pgstack_tpl_%' AND pid <> pg_backend_pid()");
        return r.ok() && r->scalar() == "1";
      },
      std::chrono::seconds(30));
  EXPECT_TRUE(su->Run("DROP DATABASE " + marker).ok());
  ASSERT_TRUE(building.ok()) << building.message() << ReadText(log);
  KillAndReap(pid);
  // Built, not refused as being built by another: nothing waited for the killed builder's hour
  // of sleep (its lock would outlast any bound of the next builder's).
  auto out = TestStack::Shared().Pgstack({"testdb", "template", "--dir", dir_});
  EXPECT_EQ(out.exit_code, 0) << out.output;
  json db = GetJson({"--dir", dir_});
  ASSERT_TRUE(db.contains("config")) << db.dump();
  EXPECT_EQ(ScalarAt(json{{"database", {{"config", db["config"]}}}}, "SELECT count(*) FROM slow"),
            "0");
  EXPECT_EQ(AdminScalar("SELECT count(*) FROM pgstack_testdb.templates WHERE state = 'building'"),
            "0");
}

TEST_F(TestdbBuild, AFailingMigrationSaysWhereAndARetryBuilds) {
  WriteText(dir_ + "/0001_ok.sql", "CREATE TABLE ok (id int);\n");
  WriteText(dir_ + "/0002_bad.sql", "CREATE TABLE bad (id int);\nINSERT INTO nosuch VALUES (1);\n");
  auto out = TestStack::Shared().Pgstack({"testdb", "template", "--dir", dir_});
  EXPECT_NE(out.exit_code, 0) << out.output;
  EXPECT_NE(out.output.find("0002_bad.sql:2:"), std::string::npos) << out.output;
  // Nothing half-built stays: no template database, no row.
  EXPECT_EQ(AdminScalar("SELECT count(*) FROM pgstack_testdb.templates t WHERE state <> 'ready' "
                        "OR NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = t.database)"),
            "0");
  WriteText(dir_ + "/0002_bad.sql", "CREATE TABLE bad (id int);\n");
  auto retry = TestStack::Shared().Pgstack({"testdb", "template", "--dir", dir_});
  EXPECT_EQ(retry.exit_code, 0) << retry.output;
}

TEST_F(TestdbBuild, ReturnListAndGcDropOnlyTestdbsOwnDatabases) {
  WriteText(dir_ + "/0001_t.sql", "CREATE TABLE t (id int);\n");
  json a = GetJson({"--dir", dir_});
  ASSERT_TRUE(a.contains("id")) << a.dump();
  std::string hash = a["templateHash"];
  json db = {{"database", {{"config", a["config"]}}}};
  ScalarAt(db, "INSERT INTO t VALUES (1); SELECT 1");
  auto ret = TestStack::Shared().Pgstack(
      {"testdb", "return", std::to_string(a["id"].get<int64_t>()), "--recreate"});
  EXPECT_EQ(ret.exit_code, 0) << ret.output;
  EXPECT_EQ(ScalarAt(db, "SELECT count(*) FROM t"), "0");  // same name, a fresh clone
  EXPECT_EQ(TestStack::Shared().Pgstack({"testdb", "return", "424242"}).exit_code, 2);
  auto list = TestStack::Shared().Pgstack({"testdb", "list"});
  EXPECT_NE(list.output.find(hash), std::string::npos) << list.output;

  // Look-alikes that are not testdb's: one with the prefix but no comment, one with neither.
  auto su = TestStack::Shared().Superuser();
  ASSERT_TRUE(su.ok());
  ASSERT_TRUE(su->Run("CREATE DATABASE pgstack_tdb_lookalike_1").ok());
  ASSERT_TRUE(su->Run("CREATE DATABASE unrelated_db").ok());
  // An orphan of testdb's own (marked, in no row) goes.
  ASSERT_TRUE(su->Run("CREATE DATABASE pgstack_tdb_orphan_9").ok());
  ASSERT_TRUE(su->Run("COMMENT ON DATABASE pgstack_tdb_orphan_9 IS 'pgstack testdb test'").ok());
  auto gc = TestStack::Shared().Pgstack({"--json", "testdb", "gc", "--all"});
  EXPECT_EQ(gc.exit_code, 0) << gc.output;
  EXPECT_EQ(AdminScalar("SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database "
                        "WHERE datname LIKE 'pgstack\\_t%' OR datname = 'unrelated_db'"),
            "pgstack_tdb_lookalike_1,unrelated_db");
  EXPECT_EQ(AdminScalar("SELECT count(*) FROM pgstack_testdb.tests"), "0");
  ASSERT_TRUE(su->Run("DROP DATABASE pgstack_tdb_lookalike_1").ok());
  ASSERT_TRUE(su->Run("DROP DATABASE unrelated_db").ok());
}

// "creating listed databases" settled after a restart: no clone left half made, every database
// listed, the pool of 6 full and nothing beyond the cap of 8 (--max-tests). Clones the killed
// server had finished count too, so anything from 6 to the cap is right.
bool Settled(const std::string& counts) {
  int creating = -1, databases = -1, listed = -1;
  if (std::sscanf(counts.c_str(), "%d %d %d", &creating, &databases, &listed) != 3) return false;
  return creating == 0 && databases == listed && databases >= 6 && databases <= 8;
}

TEST_F(TestdbBuild, AServerKilledMidCloneLeavesNothingBeyondTheCapsAfterARestart) {
  auto port = core::FreePort("127.0.0.1");
  ASSERT_TRUE(port.ok());
  std::string listen = "127.0.0.1:" + std::to_string(*port);
  std::string log = TempDir("tdbserve") + "/serve.log";
  std::vector<std::string> serve = {"testdb", "--pool-size", "6",        "--max-tests",
                                    "8",      "serve",       "--listen", listen};
  pid_t pid = TestStack::Shared().SpawnPgstack(serve, log);
  Status up = AwaitHttp(*port, log);
  ASSERT_TRUE(up.ok()) << up.message();
  ASSERT_EQ(HttpCall(*port, "POST", "/api/v1/templates", R"({"hash":"kill1"})").status, 200)
      << ReadText(log);
  ASSERT_EQ(HttpCall(*port, "PUT", "/api/v1/templates/kill1").status, 204);
  // Killed while its workers fill the pool: some clones are half made.
  (void)WaitFor("the workers to start cloning", [] {
    return AdminScalar("SELECT count(*) FROM pgstack_testdb.tests WHERE hash = 'kill1'") != "0";
  });
  KillAndReap(pid);
  pid = TestStack::Shared().SpawnPgstack(serve, log);
  HttpReply got;
  (void)WaitFor(
      "the restarted server to answer",
      [&] { return (got = HttpCall(*port, "GET", "/api/v1/templates/kill1/tests")).status != 0; },
      std::chrono::seconds(30));
  EXPECT_EQ(got.status, 200) << got.body << ReadText(log);
  // Once the restarted server settles: no clone left "creating", every database listed, and
  // no more than the cap.
  std::string settled;
  (void)WaitFor(
      "the restarted server to settle",
      [&] {
        settled = AdminScalar(
            "SELECT (SELECT count(*) FROM pgstack_testdb.tests WHERE hash = 'kill1' AND state = "
            "'creating') || ' ' || (SELECT count(*) FROM pg_database WHERE datname LIKE "
            "'pgstack\\_tdb\\_kill1\\_%') || ' ' || (SELECT count(*) FROM pgstack_testdb.tests "
            "WHERE hash = 'kill1')");
        return Settled(settled);
      },
      std::chrono::seconds(30));
  EXPECT_TRUE(Settled(settled)) << settled;
  kill(pid, SIGTERM);
  EXPECT_EQ(WaitExit(pid, std::chrono::seconds(20)), 0) << ReadText(log);
  EXPECT_EQ(TestStack::Shared().Pgstack({"testdb", "gc", "--all"}).exit_code, 0);
}

TEST_F(TestdbBuild, AGetBeyondTheCapWaitsItsBoundThenNamesTheCap) {
  WriteText(dir_ + "/0001_t.sql", "CREATE TABLE t (id int);\n");
  std::vector<std::string> capped = {"testdb", "--pool-size", "1",      "--max-tests",
                                     "1",      "--get-wait",  "1500ms", "get",
                                     "--dir",  dir_,          "--json"};
  auto get = [&] {
    auto out = TestStack::Shared().Pgstack(capped, {}, Capture::kStdoutOnly);
    return json::parse(out.output, nullptr, false);
  };
  json held = get();  // the one database the cap allows, handed out
  ASSERT_TRUE(held.contains("id")) << held.dump();
  auto t0 = std::chrono::steady_clock::now();
  auto out = TestStack::Shared().Pgstack(capped);
  auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(out.exit_code, 1) << out.output;
  EXPECT_NE(out.output.find("all 1 test databases of the template (the cap, --max-tests)"),
            std::string::npos)
      << out.output;
  EXPECT_NE(out.output.find("1.5 s"), std::string::npos) << out.output;
  EXPECT_GE(waited, std::chrono::milliseconds(1500));
  EXPECT_LT(waited, std::chrono::seconds(20));
  // Returned, the database serves the next get at once.
  auto ret =
      TestStack::Shared().Pgstack({"testdb", "return", std::to_string(held["id"].get<int64_t>())});
  EXPECT_EQ(ret.exit_code, 0) << ret.output;
  EXPECT_EQ(get()["id"], held["id"]);
  EXPECT_EQ(TestStack::Shared().Pgstack({"testdb", "gc", "--all"}).exit_code, 0);
}

TEST_F(TestdbBuild, GetHandsOutTheTemplateBuiltWithFixturesOrNamesTheFlagsThatDiffer) {
  WriteText(dir_ + "/0001_t.sql", "CREATE TABLE t (id int);\n");
  std::string fixture = TempDir("tdbfx") + "/seed.sql";
  WriteText(fixture, "INSERT INTO t VALUES (1);\n");
  auto built =
      TestStack::Shared().Pgstack({"testdb", "template", "--dir", dir_, "--fixtures", fixture});
  ASSERT_EQ(built.exit_code, 0) << built.output;
  std::string templates = AdminScalar("SELECT count(*) FROM pgstack_testdb.templates");
  // Without the fixtures: refused, naming the flag, and no second template is built.
  auto bare = TestStack::Shared().Pgstack({"testdb", "get", "--dir", dir_});
  EXPECT_EQ(bare.exit_code, 2) << bare.output;
  EXPECT_NE(bare.output.find("seed.sql (template) vs none (this get)"), std::string::npos)
      << bare.output;
  EXPECT_EQ(AdminScalar("SELECT count(*) FROM pgstack_testdb.templates"), templates);
  json db = GetJson({"--dir", dir_, "--fixtures", fixture});
  ASSERT_TRUE(db.contains("config")) << db.dump();
  EXPECT_EQ(ScalarAt(json{{"database", {{"config", db["config"]}}}}, "SELECT count(*) FROM t"),
            "1");
  EXPECT_EQ(TestStack::Shared().Pgstack({"testdb", "gc", "--all"}).exit_code, 0);
}

TEST_F(TestdbBuild, GetExportLinesAndTheGlobalEnvAfterTheSubcommand) {
  WriteText(dir_ + "/0001_t.sql", "CREATE TABLE t (id int);\n");
  // --env after `get` is the global flag (the environment), not get's own.
  const TestStack& stack = TestStack::Shared();
  auto out = RunPgstack(
      {"--config", SourceDir() + "/config/database.json", "--state-dir", stack.state_dir(),
       "testdb", "get", "--dir", dir_, "--env", stack.env().name, "--export"},
      {}, Capture::kStdoutOnly);
  EXPECT_EQ(out.exit_code, 0) << out.output;
  EXPECT_NE(out.output.find("export PGSTACK_TESTDB_ID="), std::string::npos) << out.output;
  EXPECT_NE(out.output.find("export DATABASE_URL="), std::string::npos) << out.output;
  EXPECT_EQ(TestStack::Shared().Pgstack({"testdb", "gc", "--all"}).exit_code, 0);
}

// --export writes what `pgstack env` writes for the database handed out (PGSSLMODE included),
// in each of env's formats, plus the database's id.
TEST_F(TestdbBuild, GetExportWritesEnvsVariablesInEachOfEnvsFormats) {
  WriteText(dir_ + "/0001_t.sql", "CREATE TABLE t (id int);\n");
  const TestStack& stack = TestStack::Shared();
  auto get = [&](const std::string& export_flag) {
    return stack.Pgstack({"testdb", "get", "--dir", dir_, export_flag}, {}, Capture::kStdoutOnly);
  };
  auto sh = get("--export");
  ASSERT_EQ(sh.exit_code, 0) << sh.output;
  for (std::string name : {"PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD", "DATABASE_URL",
                           "PGSTACK_TESTDB_ID"}) {
    EXPECT_NE(sh.output.find("export " + name + "='"), std::string::npos) << name << sh.output;
  }
  EXPECT_NE(sh.output.find("export PGSSLMODE='disable'\n"), std::string::npos) << sh.output;
  auto fish = get("--export=fish");
  ASSERT_EQ(fish.exit_code, 0) << fish.output;
  EXPECT_NE(fish.output.find("set -gx PGSSLMODE 'disable'\n"), std::string::npos) << fish.output;
  EXPECT_NE(fish.output.find("set -gx PGSTACK_TESTDB_ID '"), std::string::npos) << fish.output;
  auto dotenv = get("--export=dotenv");
  ASSERT_EQ(dotenv.exit_code, 0) << dotenv.output;
  EXPECT_NE(dotenv.output.find("\nPGSSLMODE=disable\n"), std::string::npos) << dotenv.output;
  auto j = get("--export=json");
  ASSERT_EQ(j.exit_code, 0) << j.output;
  json doc = json::parse(j.output, nullptr, false);
  EXPECT_EQ(doc["PGSSLMODE"], "disable") << j.output;
  EXPECT_EQ(doc.size(), 8u) << j.output;
  // The id is the one the database's name ends in.
  EXPECT_TRUE(doc["PGDATABASE"].get<std::string>().ends_with(
      "_" + doc["PGSTACK_TESTDB_ID"].get<std::string>()))
      << j.output;
  auto bad = stack.Pgstack({"testdb", "get", "--dir", dir_, "--export=csh"});
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("--export csh: unknown"), std::string::npos) << bad.output;
  EXPECT_EQ(stack.Pgstack({"testdb", "gc", "--all"}).exit_code, 0);
}

TEST_F(TestdbBuild, ABadHashOrFlagIsRefusedBeforeAnythingHappens) {
  auto out = TestStack::Shared().Pgstack({"testdb", "get", "--hash", "no/slash"});
  EXPECT_EQ(out.exit_code, 2) << out.output;
  EXPECT_NE(out.output.find("hash"), std::string::npos) << out.output;
  out = TestStack::Shared().Pgstack({"testdb", "--strategy", "fast", "list"});
  EXPECT_EQ(out.exit_code, 2) << out.output;
}

}  // namespace
}  // namespace pgstack::testing
