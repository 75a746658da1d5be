// Ctrl-C and SIGTERM during `migrate up` and `down`: the run stops promptly at its next safe
// point (the statement in flight is cancelled), exits 130 or 143, and every migration whose
// effects committed has its history row, so a rerun applies the rest exactly once.
#include <fmt/format.h>

#include <chrono>
#include <string>

#include "migrate_fixture.h"

namespace pgstack::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

TEST_F(Migrate, SigintStopsUpPromptlyAndARerunAppliesTheRestExactlyOnce) {
  ASSERT_EQ(Scalar("CREATE TABLE mt.applied_log (v int) ; SELECT 1"), "1");
  for (int i = 1; i <= 200; ++i) {
    Write(fmt::format("{}/{:04}_s.sql", dir_, i),
          fmt::format("-- pgstack:up\nselect pg_sleep(0.02); insert into mt.applied_log values "
                      "({0});\n-- pgstack:down\ndelete from mt.applied_log where v = {0};\n",
                      i));
  }
  std::string log = dir_ + "/../sigint.log";
  pid_t pid = Spawn({"up", "--dir", dir_, "--direct"}, log);
  ASSERT_TRUE(WaitFor(
                  "some migrations to commit",
                  [&] { return std::stoi(Scalar("SELECT count(*) FROM mt.applied_log")) >= 10; },
                  std::chrono::seconds(30))
                  .ok());
  auto t0 = steady_clock::now();
  kill(pid, SIGINT);
  int rc = Reap(pid, std::chrono::seconds(10));
  auto took = std::chrono::duration_cast<milliseconds>(steady_clock::now() - t0);
  EXPECT_EQ(rc, 130) << ReadFile(log);
  EXPECT_LT(took, milliseconds(3000));
  int ran = std::stoi(Scalar("SELECT count(*) FROM mt.applied_log"));
  EXPECT_LT(ran, 200);
  EXPECT_EQ(HistoryRows(), ran) << "every migration that ran has its history row, no other";
  EXPECT_NE(ReadFile(log).find("interrupted (SIGINT)"), std::string::npos) << ReadFile(log);

  auto rerun = Run({"up", "--dir", dir_, "--direct"});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.output;
  EXPECT_EQ(Scalar("SELECT count(*) || ' ' || count(DISTINCT v) FROM mt.applied_log"), "200 200");
  EXPECT_EQ(HistoryRows(), 200);
}

TEST_F(Migrate, SigtermCancelsTheStatementOfAStatementByStatementMigrationWhichResumes) {
  ASSERT_EQ(Scalar("CREATE TABLE mt.applied_log (v int); CREATE TABLE mt.go (x int); SELECT 1"),
            "1");
  Write(dir_ + "/0001_a.sql", "-- pgstack:up\ninsert into mt.applied_log values (1);\n");
  // Sleeps until mt.go has a row: the rerun passes straight through.
  Write(dir_ + "/0002_b.sql",
        "-- pgstack:up no-transaction\ninsert into mt.applied_log values (2);\n"
        "select pg_sleep(120) where not exists (select from mt.go);\n"
        "insert into mt.applied_log values (3);\n");
  std::string log = dir_ + "/../sigterm.log";
  pid_t pid = Spawn({"up", "--dir", dir_, "--pooled"}, log);
  AwaitSleep("pg_sleep(120)");
  auto t0 = steady_clock::now();
  kill(pid, SIGTERM);
  int rc = Reap(pid, std::chrono::seconds(20));
  auto took = std::chrono::duration_cast<milliseconds>(steady_clock::now() - t0);
  EXPECT_EQ(rc, 143) << ReadFile(log);
  EXPECT_LT(took, milliseconds(3000));
  EXPECT_EQ(Scalar("SELECT string_agg(v::text, ',' ORDER BY v) FROM mt.applied_log"), "1,2");
  EXPECT_EQ(Scalar("SELECT state || ' ' || statements_done FROM pgstack.schema_history WHERE "
                   "version = '2'"),
            "partial 1");
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'"), "0")
      << "the cancelled statement still runs";

  ASSERT_EQ(Scalar("INSERT INTO mt.go VALUES (1); SELECT 1"), "1");
  auto rerun = Run({"up", "--dir", dir_, "--pooled"});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.output;
  EXPECT_EQ(Scalar("SELECT string_agg(v::text, ',' ORDER BY v) FROM mt.applied_log"), "1,2,3");
}

TEST_F(Migrate, SigintStopsDownAndKeepsTheMigrationItWasRevertingApplied) {
  Write(dir_ + "/0001_a.sql",
        "-- pgstack:up\ncreate table mt.a (x int);\n-- pgstack:down\n"
        "drop table mt.a;\n");
  Write(dir_ + "/0002_b.sql",
        "-- pgstack:up\ncreate table mt.b (x int);\n-- pgstack:down\n"
        "drop table mt.b; select pg_sleep(120);\n");
  auto up = Run({"up", "--dir", dir_});
  ASSERT_EQ(up.exit_code, 0) << up.output;
  pid_t pid = Spawn({"down", "--to", "0", "--dir", dir_});
  AwaitSleep("pg_sleep(120)");
  kill(pid, SIGINT);
  EXPECT_EQ(Reap(pid, std::chrono::seconds(3)), 130);
  EXPECT_EQ(HistoryRows(), 2);
  EXPECT_EQ(Scalar("SELECT to_regclass('mt.b') IS NOT NULL"), "t") << "the down rolled back";
}

}  // namespace
}  // namespace pgstack::testing
