// pgstack migrate against a real PostgreSQL 17 + PgBouncer (transaction pooling), through the
// real binary: every format, many runners at once, SIGKILL, lock timeouts, refusals, bad input.
// Tests run one after another on the shared stack; each starts from an empty history.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "migrate_fixture.h"
#include "pgstack/core/duration.h"
#include "pgstack/migrate/runner.h"

namespace pgstack::testing {
namespace {

TEST_F(Migrate, EveryFormatFromItsFixtureDirectory) {
  struct Case {
    std::string format, table;
    bool has_down;
  };
  const Case cases[] = {
      {"pgstack", "pgstack_items", true}, {"golang-migrate", "golang_items", true},
      {"dbmate", "dbmate_items", true},   {"flyway", "flyway_items", true},
      {"sqlx", "sqlx_items", false},      {"diesel", "diesel_items", true}};
  int i = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.format);
    SetUp();
    std::string via = (i++ % 2) ? "--pooled" : "--direct";
    auto up = Run({"up", "--dir", Fixture(c.format), via});
    ASSERT_EQ(up.exit_code, 0) << up.output;
    EXPECT_EQ(Scalar("SELECT count(*) FROM " + c.table), "2");
    json st = StatusJson(Fixture(c.format), via);
    EXPECT_EQ(st["format"], c.format);
    EXPECT_EQ(st["pending"].size(), 0u);
    EXPECT_GE(st["applied"].size(), 2u);
    EXPECT_EQ(st["applied"][0]["checksum"].get<std::string>().size(), 64u);
    auto again = Run({"up", "--dir", Fixture(c.format), via});
    EXPECT_EQ(again.exit_code, 0) << again.output;
    EXPECT_NE(again.output.find("nothing to do"), std::string::npos) << again.output;
    if (!c.has_down) continue;
    auto down = Run({"down", "--to", "0", "--dir", Fixture(c.format), via});
    ASSERT_EQ(down.exit_code, 0) << down.output;
    EXPECT_EQ(Scalar("SELECT count(*) FROM pg_tables WHERE tablename = '" + c.table + "'"), "0");
  }
  // Flyway's repeatable ran after the versioned ones; diesel's version 0 is a migration.
  EXPECT_NE(Scalar("SELECT count(*) FROM pgstack.schema_history"), "");
}

TEST_F(Migrate, TwelveRunnersApplyFortyMigrationsExactlyOnceInOrder) {
  ASSERT_EQ(Scalar("CREATE TABLE mt.applied_log (seq bigserial PRIMARY KEY, v int NOT NULL); "
                   "SELECT 1"),
            "1");
  for (int i = 1; i <= 40; ++i) {
    char v[16];
    snprintf(v, sizeof v, "%06d", i);
    if (i == 20) {
      WriteText(dir_ + "/" + v + "_cic.up.sql",
                "CREATE INDEX CONCURRENTLY idx_t10 ON mt.t10 (v);\n");
      continue;
    }
    WriteText(dir_ + "/" + v + "_t.up.sql",
              "CREATE TABLE mt.t" + std::to_string(i) +
                  " (id serial PRIMARY KEY, v int);\nINSERT INTO mt.t" + std::to_string(i) +
                  " (v) SELECT g FROM generate_series(1, 500) g;\nINSERT INTO mt.applied_log (v) "
                  "VALUES (" +
                  std::to_string(i) + ");\nSELECT pg_sleep(0.01);\n");
  }
  std::vector<std::thread> runners;
  std::vector<core::CommandOutput> outs(12);
  for (int r = 0; r < 12; ++r) {
    runners.emplace_back([&, r] {
      outs[r] =
          Run({"up", "--dir", dir_, r < 8 ? "--pooled" : "--direct", "--lock-timeout", "90s"});
    });
  }
  for (auto& t : runners) t.join();
  for (int r = 0; r < 12; ++r)
    EXPECT_EQ(outs[r].exit_code, 0) << "runner " << r << ": " << outs[r].output;
  EXPECT_EQ(
      Scalar("SELECT count(*) || ' ' || count(DISTINCT v) || ' ' || "
             "bool_and(ordered)::int FROM (SELECT v, v > coalesce(lag(v) OVER (ORDER BY seq), "
             "0) AS ordered FROM mt.applied_log) s"),
      "39 39 1");
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                   "WHERE c.relname = 'idx_t10' AND i.indisvalid"),
            "1");
  EXPECT_EQ(StatusJson(dir_)["applied"].size(), 40u);
}

TEST_F(Migrate, SigkillInsideATransactionalMigrationLeavesNothingHalfApplied) {
  WriteText(dir_ + "/0001_slow.sql",
            "-- pgstack:up\nCREATE TABLE mt.slow (id int);\nSELECT pg_sleep(3);\n"
            "INSERT INTO mt.slow VALUES (1);\n");
  pid_t pid = Spawn({"up", "--dir", dir_, "--pooled", "--lease", "2s"});
  AwaitSleep("pg_sleep(3)");  // inside the migration's transaction, after CREATE TABLE
  KillAndReap(pid);
  // The killed runner's transaction holds table and history row together: neither is visible.
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'mt' AND tablename = 'slow'"),
            "0");
  auto rerun = Run({"up", "--dir", dir_, "--pooled", "--lock-timeout", "30s"});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.output;
  EXPECT_EQ(Scalar("SELECT count(*) FROM mt.slow"), "1");
  EXPECT_EQ(Scalar("SELECT state FROM pgstack.schema_history WHERE version = '1'"), "applied");
}

TEST_F(Migrate, SigkillInsideAStatementByStatementMigrationResumes) {
  WriteText(dir_ + "/0001_steps.sql",
            "-- pgstack:up\nCREATE TABLE mt.steps (id int);\nINSERT INTO mt.steps VALUES (1);\n"
            "SELECT pg_sleep(4);\nCREATE INDEX CONCURRENTLY steps_id ON mt.steps (id);\n"
            "INSERT INTO mt.steps VALUES (2);\n");
  pid_t pid = Spawn({"up", "--dir", dir_, "--direct", "--lease", "2s"});
  AwaitSleep("pg_sleep(4)");  // the first INSERT is committed, the index not built
  KillAndReap(pid);
  json st = StatusJson(dir_, "--direct");
  ASSERT_EQ(st["pending"].size(), 1u) << st.dump();
  EXPECT_TRUE(st["pending"][0].contains("partial")) << st.dump();
  bool reported = false;
  for (const auto& p : st["problems"]) reported = reported || p["kind"] == "partial";
  EXPECT_TRUE(reported) << st.dump();
  auto rerun = Run({"up", "--dir", dir_, "--direct", "--lock-timeout", "30s"});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.output;
  EXPECT_NE(rerun.output.find("resumed"), std::string::npos) << rerun.output;
  // Statements before the kill ran once; the rest ran on resume.
  EXPECT_EQ(Scalar("SELECT string_agg(id::text, ',' ORDER BY id) FROM mt.steps"), "1,2");
  EXPECT_EQ(Scalar("SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                   "WHERE c.relname = 'steps_id'"),
            "t");
}

TEST_F(Migrate, FailedConcurrentIndexIsDroppedAndRebuiltOnResume) {
  ASSERT_EQ(Scalar("CREATE TABLE mt.dup (v int); INSERT INTO mt.dup VALUES (1), (1); SELECT 1"),
            "1");
  WriteText(dir_ + "/000001_uniq.up.sql",
            "SELECT 1;\nCREATE UNIQUE INDEX CONCURRENTLY dup_v ON mt.dup (v);\nSELECT 2;\n");
  auto first = Run({"up", "--dir", dir_, "--pooled"});
  EXPECT_EQ(first.exit_code, 1) << first.output;
  EXPECT_NE(first.output.find("000001_uniq.up.sql:2:1"), std::string::npos) << first.output;
  EXPECT_EQ(Scalar("SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                   "WHERE c.relname = 'dup_v'"),
            "f");
  json st = StatusJson(dir_);
  ASSERT_EQ(st["pending"].size(), 1u);
  EXPECT_EQ(st["pending"][0]["partial"]["statements_done"], 1);
  ASSERT_EQ(Scalar("DELETE FROM mt.dup WHERE ctid = (SELECT min(ctid) FROM mt.dup); SELECT 1"),
            "1");
  auto resume = Run({"up", "--dir", dir_, "--pooled"});
  ASSERT_EQ(resume.exit_code, 0) << resume.output;
  EXPECT_EQ(Scalar("SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                   "WHERE c.relname = 'dup_v'"),
            "t");
}

TEST_F(Migrate, LockHeldElsewhereTimesOutRetriesAndSucceeds) {
  ASSERT_EQ(Scalar("CREATE TABLE mt.busy (id int); SELECT 1"), "1");
  WriteText(dir_ + "/0001_alter.sql", "-- pgstack:up\nALTER TABLE mt.busy ADD COLUMN note text;\n");
  auto holder = TestStack::Shared().Direct();
  ASSERT_TRUE(holder.ok());
  ASSERT_TRUE(holder->Run("BEGIN; LOCK TABLE mt.busy IN ACCESS EXCLUSIVE MODE").ok());
  // Out of retries while the lock is held: exit 4, nothing applied.
  auto gave_up =
      Run({"up", "--dir", dir_, "--pooled", "--pg-lock-timeout", "200ms", "--retries", "1"});
  EXPECT_EQ(gave_up.exit_code, 4) << gave_up.output;
  EXPECT_EQ(HistoryRows(), 0);
  core::CommandOutput out;
  std::thread t([&] {
    out = Run({"up", "--dir", dir_, "--pooled", "--pg-lock-timeout", "300ms", "--retries", "20",
               "--verbose"});
  });
  // Let it time out on the lock at least once (the retry is what this test is about): a retried
  // statement starts anew, so a second query_start of the waiting ALTER means a retry happened.
  std::set<std::string> starts;
  auto watcher = TestStack::Shared().Direct();
  ASSERT_TRUE(watcher.ok());
  Status retried = WaitFor(
      "the runner to retry after a lock timeout",
      [&] {
        auto r = watcher->Exec(
            "SELECT query_start::text FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND "
            "position('ADD COLUMN note' in query) > 0");
        if (r.ok() && r->rows() > 0) starts.insert(r->scalar());
        return starts.size() >= 2;
      },
      std::chrono::seconds(30));
  ASSERT_TRUE(holder->Run("ROLLBACK").ok());
  EXPECT_TRUE(retried.ok()) << retried.message();
  t.join();
  ASSERT_EQ(out.exit_code, 0) << out.output;
  EXPECT_NE(out.output.find("lock timeout"), std::string::npos) << out.output;
  EXPECT_EQ(Scalar("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'mt' "
                   "AND table_name = 'busy' AND column_name = 'note'"),
            "1");
}

TEST_F(Migrate, AnotherRunnersLeaseMakesExit4AfterLockTimeout) {
  WriteText(dir_ + "/0001_a.sql", "-- pgstack:up\nCREATE TABLE mt.a (id int);\n");
  ASSERT_EQ(Run({"status", "--dir", dir_}).exit_code, 0);
  ASSERT_EQ(Run({"baseline", "1", "--dir", dir_}).exit_code, 0);  // creates the schema
  ASSERT_EQ(Scalar("UPDATE pgstack.migration_lock SET holder = 'someone else', expires_at = "
                   "now() + interval '1 hour'; DELETE FROM pgstack.schema_history; SELECT 1"),
            "1");
  auto out = Run({"up", "--dir", dir_, "--pooled", "--lock-timeout", "1s"});
  EXPECT_EQ(out.exit_code, 4) << out.output;
  EXPECT_NE(out.output.find("someone else"), std::string::npos) << out.output;
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'mt' AND tablename = 'a'"),
            "0");
}

TEST_F(Migrate, RefusesEditedMissingAndOutOfOrderFiles) {
  WriteText(dir_ + "/0001_a.sql", "-- pgstack:up\nCREATE TABLE mt.a (id int);\n");
  WriteText(dir_ + "/0003_c.sql", "-- pgstack:up\nCREATE TABLE mt.c (id int);\n");
  ASSERT_EQ(Run({"up", "--dir", dir_}).exit_code, 0);
  std::string old_sum = Scalar("SELECT checksum FROM pgstack.schema_history WHERE version = '1'");
  // Edited after it was applied: exit 3 naming the file and both checksums.
  WriteText(dir_ + "/0001_a.sql", "-- pgstack:up\nCREATE TABLE mt.a (id bigint);\n");
  auto edited = Run({"up", "--dir", dir_, "--pooled"});
  EXPECT_EQ(edited.exit_code, 3) << edited.output;
  EXPECT_NE(edited.output.find("0001_a.sql"), std::string::npos) << edited.output;
  EXPECT_NE(edited.output.find(old_sum), std::string::npos) << edited.output;
  auto repair = Run({"repair", "--dir", dir_, "--pooled"});
  ASSERT_EQ(repair.exit_code, 0) << repair.output;
  EXPECT_EQ(Scalar("SELECT previous_checksum = '" + old_sum +
                   "' AND repaired_by IS NOT NULL FROM pgstack.schema_history WHERE version = '1'"),
            "t");
  // Out of order: 0002 is older than the applied 0003.
  WriteText(dir_ + "/0002_b.sql", "-- pgstack:up\nCREATE TABLE mt.b (id int);\n");
  auto order = Run({"up", "--dir", dir_});
  EXPECT_EQ(order.exit_code, 3) << order.output;
  EXPECT_NE(order.output.find("out_of_order 2"), std::string::npos) << order.output;
  EXPECT_EQ(Run({"up", "--dir", dir_, "--allow-out-of-order"}).exit_code, 0);
  // Missing: an applied file is gone.
  fs::remove(dir_ + "/0003_c.sql");
  auto missing = Run({"up", "--dir", dir_});
  EXPECT_EQ(missing.exit_code, 3) << missing.output;
  EXPECT_NE(missing.output.find("missing 3"), std::string::npos) << missing.output;
  EXPECT_EQ(Run({"validate", "--dir", dir_}).exit_code, 3);
}

TEST_F(Migrate, BadInputIsExit2NamingTheFileAndChangesNothing) {
  WriteText(dir_ + "/0001_a.sql", "-- pgstack:up\nCREATE TABLE mt.a (id int);\n");
  WriteText(
      dir_ + "/0002_b.sql",
      "-- pgstack:up\nCREATE TABLE mt.b (id int);\nSELECT 1\n  FORM mt.b;\n-- pgstack:down\n");
  auto syntax = Run({"up", "--dir", dir_, "--pooled"});
  EXPECT_EQ(syntax.exit_code, 2) << syntax.output;
  EXPECT_NE(syntax.output.find("0002_b.sql:4:8: syntax error"), std::string::npos) << syntax.output;
  EXPECT_EQ(HistoryRows(), -1);  // not even the history schema was made
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'mt'"), "0");

  auto expect2 = [&](const std::string& what, const std::string& needle,
                     std::vector<std::string> extra = {}) {
    SCOPED_TRACE(what);
    std::vector<std::string> args = {"up", "--dir", dir_};
    args.insert(args.end(), extra.begin(), extra.end());
    auto out = Run(args);
    EXPECT_EQ(out.exit_code, 2) << out.output;
    EXPECT_NE(out.output.find(needle), std::string::npos) << out.output;
    EXPECT_EQ(HistoryRows(), -1);
  };
  fs::remove(dir_ + "/0002_b.sql");
  expect2("--to missing", "--to 7: no migration has this version", {"--to", "7"});
  WriteText(dir_ + "/0002_b.sql", "-- pgstack:up\nSELECT '\xc3\x28';\n");
  expect2("invalid UTF-8", "0002_b.sql:2:9: the file is not valid UTF-8");
  WriteText(dir_ + "/0002_b.sql", "-- pgstack:up\n-- nothing here\n-- pgstack:down\nSELECT 1;\n");
  expect2("empty", "0002_b.sql:2: empty migration");
  fs::remove(dir_ + "/0002_b.sql");
  WriteText(dir_ + "/000002_b.up.sql", "SELECT 1;");
  expect2("two formats", "two formats mixed");
  fs::remove(dir_ + "/000002_b.up.sql");
  fs::remove(dir_ + "/0001_a.sql");
  WriteText(dir_ + "/000001_a.up.sql", "SELECT 1;");
  WriteText(dir_ + "/000002_b.down.sql", "SELECT 1;");
  expect2("down without up", "000002_b.down.sql: a down file without its up file");
}

TEST_F(Migrate, BaselineDownAndMissingDownSql) {
  WriteText(dir_ + "/0001_a.sql",
            "-- pgstack:up\nCREATE TABLE mt.a (id int);\n-- pgstack:down\n"
            "DROP TABLE mt.a;\n");
  WriteText(dir_ + "/0002_b.sql", "-- pgstack:up\nCREATE TABLE mt.b (id int);\n");
  WriteText(dir_ + "/0003_c.sql",
            "-- pgstack:up\nCREATE TABLE mt.c (id int);\n-- pgstack:down\n"
            "DROP TABLE mt.c;\n");
  ASSERT_EQ(Run({"baseline", "2", "--dir", dir_, "--pooled"}).exit_code, 0);
  EXPECT_EQ(Scalar("SELECT string_agg(version || ':' || kind, ',' ORDER BY version) FROM "
                   "pgstack.schema_history"),
            "1:baseline,2:baseline");
  auto plan = Run({"plan", "--dir", dir_});
  EXPECT_EQ(plan.exit_code, 0) << plan.output;
  EXPECT_NE(plan.output.find("3 c"), std::string::npos) << plan.output;
  ASSERT_EQ(Run({"up", "--dir", dir_}).exit_code, 0);
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'mt'"), "1");  // only c
  // down --to 0 would need 0002's down SQL: reported before anything runs.
  auto down = Run({"down", "--to", "0", "--dir", dir_});
  EXPECT_EQ(down.exit_code, 2) << down.output;
  EXPECT_NE(down.output.find("0002_b.sql: no down SQL"), std::string::npos) << down.output;
  EXPECT_EQ(HistoryRows(), 3);
  auto one = Run({"down", "--dir", dir_, "--pooled"});
  ASSERT_EQ(one.exit_code, 0) << one.output;
  EXPECT_EQ(HistoryRows(), 2);
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'mt'"), "0");
}

TEST_F(Migrate, ProjectSchemaGoesUpAndAllTheWayDown) {
  std::string dir = SourceDir() + "/database/migrations";
  auto up = Run({"up", "--dir", dir, "--pooled"});
  ASSERT_EQ(up.exit_code, 0) << up.output;
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                   "WHERE c.relname = 'idx_test_results_payload' AND i.indisvalid"),
            "1");
  auto down = Run({"down", "--to", "0", "--dir", dir, "--pooled"});
  ASSERT_EQ(down.exit_code, 0) << down.output;
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename IN "
                   "('test_suites', 'test_cases', 'test_runs', 'test_results')"),
            "0");
}

TEST_F(Migrate, NewWritesAMigrationInPgstacksFormat) {
  auto out = Run({"new", "add_widgets", "--dir", dir_});
  ASSERT_EQ(out.exit_code, 0) << out.output;
  ASSERT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
  std::string path = fs::directory_iterator(dir_)->path().string();
  EXPECT_NE(path.find("_add_widgets.sql"), std::string::npos);
  WriteText(path,
            "-- pgstack:up\nCREATE TABLE mt.widgets (id int);\n-- pgstack:down\n"
            "DROP TABLE mt.widgets;\n");
  EXPECT_EQ(Run({"up", "--dir", dir_}).exit_code, 0);
  EXPECT_EQ(Run({"new", "Bad Name", "--dir", dir_}).exit_code, 2);
}

// --json is one document on stdout whatever happens (scripts pipe it into jq): a report, a
// refusal (its report and the error together), bad flags, an unknown action.
TEST_F(Migrate, JsonIsOneDocumentOnEveryPathErrorsIncluded) {
  WriteText(dir_ + "/0001_a.sql",
            "-- pgstack:up\nCREATE TABLE mt.a (id int);\n-- pgstack:down\nDROP TABLE mt.a;\n");
  struct Out {
    int exit_code;
    json doc;
  };
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--json", "migrate"});
    auto out = TestStack::Shared().Pgstack(args, {}, Capture::kStdoutOnly);
    // The whole of stdout must parse: a second document (or anything else) after the first fails.
    json doc = json::parse(out.output, nullptr, /*allow_exceptions=*/false);
    EXPECT_TRUE(doc.is_object()) << "not one JSON document: " << out.output;
    return Out{out.exit_code, doc};
  };
  for (std::string action : {"status", "plan", "validate", "up", "status", "down"}) {
    SCOPED_TRACE(action);
    Out o = run({action, "--dir", dir_});
    EXPECT_EQ(o.exit_code, 0) << o.doc;
    EXPECT_FALSE(o.doc.contains("error")) << o.doc;
  }
  EXPECT_EQ(HistoryRows(), 0);

  ASSERT_EQ(Run({"up", "--dir", dir_}).exit_code, 0);
  WriteText(dir_ + "/0001_a.sql",
            "-- pgstack:up\nCREATE TABLE mt.a (id bigint);\n-- pgstack:down\nDROP TABLE mt.a;\n");
  Out plan = run({"plan", "--dir", dir_});
  EXPECT_EQ(plan.exit_code, 3);
  EXPECT_EQ(plan.doc["would_refuse"], true) << plan.doc;
  EXPECT_EQ(plan.doc["problems"].size(), 1u) << plan.doc;
  EXPECT_EQ(plan.doc["error"]["exit_code"], 3) << plan.doc;
  Out validate = run({"validate", "--dir", dir_});
  EXPECT_EQ(validate.exit_code, 3);
  EXPECT_EQ(validate.doc["valid"], false) << validate.doc;
  EXPECT_EQ(validate.doc["error"]["exit_code"], 3) << validate.doc;
  Out up = run({"up", "--dir", dir_});
  EXPECT_EQ(up.exit_code, 3);
  EXPECT_NE(up.doc["error"]["message"].get<std::string>().find("0001"), std::string::npos)
      << up.doc;

  Out bad_to = run({"up", "--dir", dir_, "--to", "x"});
  EXPECT_EQ(bad_to.exit_code, 2);
  EXPECT_NE(bad_to.doc["error"]["message"].get<std::string>().find("--to x"), std::string::npos)
      << bad_to.doc;
  Out bad_lease = run({"status", "--dir", dir_, "--lease", "10ms"});
  EXPECT_EQ(bad_lease.exit_code, 2);
  EXPECT_EQ(bad_lease.doc["error"]["exit_code"], 2) << bad_lease.doc;
  Out unknown = run({"upp", "--dir", dir_});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_EQ(unknown.doc["error"]["exit_code"], 2) << unknown.doc;

  // Without --json an error goes to stderr only.
  auto human =
      TestStack::Shared().Pgstack({"migrate", "up", "--dir", dir_}, {}, Capture::kStdoutOnly);
  EXPECT_EQ(human.exit_code, 3);
  EXPECT_EQ(human.output, "");
}

// The defaults --help shows are the library's own (migrate::Options), not copies of them.
TEST(MigrateHelp, ShowsTheLibrarysDefaults) {
  auto out = RunPgstack({"migrate", "--help"}, {}, Capture::kStdoutOnly);
  EXPECT_EQ(out.exit_code, 0);
  migrate::Options o;
  for (int ms : {o.wait_ms, o.lease_ms, o.lock_timeout_ms}) {
    std::string shown = core::FormatDuration(std::chrono::milliseconds(ms));
    EXPECT_NE(out.output.find("TEXT=" + shown + " "), std::string::npos) << shown << "\n"
                                                                         << out.output;
  }
  EXPECT_NE(out.output.find("TEXT=" + o.dir + "\n"), std::string::npos) << out.output;
  EXPECT_NE(out.output.find("INT=" + std::to_string(o.retries) + " "), std::string::npos);
  for (const char* action :
       {"new", "up", "down", "status", "validate", "plan", "baseline", "repair"}) {
    EXPECT_NE(out.output.find(std::string("  ") + action + " "), std::string::npos) << action;
  }
}

}  // namespace
}  // namespace pgstack::testing
