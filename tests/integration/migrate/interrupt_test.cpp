// Ctrl-C and SIGTERM during `migrate up` and `down`: the run stops promptly at its next safe
// point (the statement in flight is cancelled), exits 130 or 143, and every migration whose
// effects committed has its history row, so a rerun applies the rest exactly once.
#include <fmt/format.h>

#include <chrono>
#include <string>

#include "migrate_fixture.h"

namespace pgstack::testing {
namespace {

// Sleeps until mt.go has a row: the interrupted run waits here, the rerun passes straight through.
constexpr char kGate[] = "select pg_sleep(120) where not exists (select from mt.go);\n";

// The runner's migrations sleep no more, and the interrupted run left no statement running.
std::string Sleeping() {
  auto c = TestStack::Shared().Direct();
  if (!c.ok()) return c.status().message();
  auto r = c->Exec("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'");
  return r.ok() ? r->scalar() : r.status().message();
}

TEST_F(Migrate, SigintStopsUpPromptlyAndARerunAppliesTheRestExactlyOnce) {
  ASSERT_EQ(Scalar("CREATE TABLE mt.applied_log (v int); CREATE TABLE mt.go (x int); SELECT 1"),
            "1");
  // One batch: 0050 waits at the gate in the round trip that committed 0001 to 0049.
  for (int i = 1; i <= 200; ++i) {
    WriteText(fmt::format("{}/{:04}_s.sql", dir_, i),
              fmt::format("-- pgstack:up\n{1}insert into mt.applied_log values ({0});\n"
                          "-- pgstack:down\ndelete from mt.applied_log where v = {0};\n",
                          i, i == 50 ? kGate : "select pg_sleep(0.02);\n"));
  }
  std::string log = dir_ + "/../sigint.log";
  pid_t pid = Spawn({"up", "--dir", dir_, "--direct"}, log);
  // (The batch is longer than the query text pg_stat_activity keeps: the gate is known by 0049.)
  ASSERT_TRUE(WaitFor(
                  "the run to wait at the gate of 0050",
                  [&] {
                    return Scalar("SELECT count(*) FROM mt.applied_log") == "49" &&
                           Sleeping() == "1";
                  },
                  std::chrono::seconds(30))
                  .ok());
  kill(pid, SIGINT);
  // The gate would hold a run that does not cancel its statement for two minutes.
  EXPECT_EQ(Reap(pid, std::chrono::seconds(20)), 130) << ReadFile(log);
  EXPECT_EQ(Sleeping(), "0") << "the cancelled statement still runs";
  EXPECT_EQ(Scalar("SELECT count(*) FROM mt.applied_log"), "49");
  EXPECT_EQ(HistoryRows(), 49) << "every migration that ran has its history row, no other";
  EXPECT_NE(ReadFile(log).find("interrupted (SIGINT)"), std::string::npos) << ReadFile(log);

  ASSERT_EQ(Scalar("INSERT INTO mt.go VALUES (1); SELECT 1"), "1");
  auto rerun = Run({"up", "--dir", dir_, "--direct"});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.output;
  EXPECT_EQ(Scalar("SELECT count(*) || ' ' || count(DISTINCT v) FROM mt.applied_log"), "200 200");
  EXPECT_EQ(HistoryRows(), 200);
}

TEST_F(Migrate, SigtermCancelsTheStatementOfAStatementByStatementMigrationWhichResumes) {
  ASSERT_EQ(Scalar("CREATE TABLE mt.applied_log (v int); CREATE TABLE mt.go (x int); SELECT 1"),
            "1");
  WriteText(dir_ + "/0001_a.sql", "-- pgstack:up\ninsert into mt.applied_log values (1);\n");
  WriteText(dir_ + "/0002_b.sql", std::string("-- pgstack:up no-transaction\n"
                                              "insert into mt.applied_log values (2);\n") +
                                      kGate + "insert into mt.applied_log values (3);\n");
  std::string log = dir_ + "/../sigterm.log";
  pid_t pid = Spawn({"up", "--dir", dir_, "--pooled"}, log);
  AwaitSleep("pg_sleep(120)");
  kill(pid, SIGTERM);
  // The gate would hold a run that does not cancel its statement for two minutes.
  EXPECT_EQ(Reap(pid, std::chrono::seconds(20)), 143) << ReadFile(log);
  EXPECT_EQ(Scalar("SELECT string_agg(v::text, ',' ORDER BY v) FROM mt.applied_log"), "1,2");
  EXPECT_EQ(Scalar("SELECT state || ' ' || statements_done FROM pgstack.schema_history WHERE "
                   "version = '2'"),
            "partial 1");
  EXPECT_EQ(Sleeping(), "0") << "the cancelled statement still runs";

  ASSERT_EQ(Scalar("INSERT INTO mt.go VALUES (1); SELECT 1"), "1");
  auto rerun = Run({"up", "--dir", dir_, "--pooled"});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.output;
  EXPECT_EQ(Scalar("SELECT string_agg(v::text, ',' ORDER BY v) FROM mt.applied_log"), "1,2,3");
}

TEST_F(Migrate, SigintStopsDownAndKeepsTheMigrationItWasRevertingApplied) {
  WriteText(dir_ + "/0001_a.sql",
            "-- pgstack:up\ncreate table mt.a (x int);\n-- pgstack:down\n"
            "drop table mt.a;\n");
  WriteText(dir_ + "/0002_b.sql",
            "-- pgstack:up\ncreate table mt.b (x int);\n-- pgstack:down\n"
            "drop table mt.b; select pg_sleep(120);\n");
  auto up = Run({"up", "--dir", dir_});
  ASSERT_EQ(up.exit_code, 0) << up.output;
  pid_t pid = Spawn({"down", "--to", "0", "--dir", dir_});
  AwaitSleep("pg_sleep(120)");
  kill(pid, SIGINT);
  // Its down sleeps two minutes unless cancelled.
  EXPECT_EQ(Reap(pid, std::chrono::seconds(20)), 130);
  EXPECT_EQ(Sleeping(), "0") << "the cancelled statement still runs";
  EXPECT_EQ(HistoryRows(), 2);
  EXPECT_EQ(Scalar("SELECT to_regclass('mt.b') IS NOT NULL"), "t") << "the down rolled back";
}

}  // namespace
}  // namespace pgstack::testing
