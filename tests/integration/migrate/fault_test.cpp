// The fault suite's migrate part: `pgstack migrate up` killed with SIGKILL at seeded random
// moments, transactional and statement-by-statement migrations mixed, direct and through
// PgBouncer; then a run to the end. Every migration must be applied exactly once: each
// statement's effect (a row in mt.applied_log) present once, and each history row applied.
// The seed is printed; PGSTACK_FAULT_SEED=N replays a run.
#include <fmt/format.h>

#include <chrono>
#include <random>
#include <thread>

#include "migrate_fixture.h"

namespace pgstack::testing {
namespace {

TEST_F(Migrate, SigkillAtRandomMomentsThenARerunAppliesEachMigrationExactlyOnce) {
  const unsigned seed = FaultSeed();
  SCOPED_TRACE(fmt::format("PGSTACK_FAULT_SEED={}", seed));
  std::mt19937 rng(seed);

  ASSERT_EQ(Scalar("CREATE TABLE mt.applied_log (v int); SELECT 1"), "1");
  constexpr int kMigrations = 60;
  int expected_rows = 0;
  for (int i = 1; i <= kMigrations; ++i) {
    std::string sql;
    if (i % 4 == 0) {  // statement by statement, each statement recorded as it commits
      sql = fmt::format(
          "-- pgstack:up no-transaction\ninsert into mt.applied_log values ({0});\n"
          "select pg_sleep(0.03);\ninsert into mt.applied_log values ({1});\n"
          "select pg_sleep(0.03);\ninsert into mt.applied_log values ({2});\n",
          i * 10, i * 10 + 1, i * 10 + 2);
      expected_rows += 3;
    } else {
      sql = fmt::format(
          "-- pgstack:up\ninsert into mt.applied_log values ({});\nselect pg_sleep(0.03);\n",
          i * 10);
      expected_rows += 1;
    }
    WriteText(fmt::format("{}/{:04}_m.sql", dir_, i), sql);
  }

  // A killed runner's lease outlives it by --lease: 1 s keeps the suite short.
  std::uniform_int_distribution<int> delay_ms(50, 1200);
  constexpr int kKills = 7;
  for (int k = 0; k < kKills; ++k) {
    std::string via = k % 2 ? "--pooled" : "--direct";
    pid_t pid = Spawn({"up", "--dir", dir_, via, "--lease", "1s"});
    int d = delay_ms(rng);
    std::this_thread::sleep_for(std::chrono::milliseconds(d));  // the seeded kill point
    KillAndReap(pid);
  }
  auto last = Run({"up", "--dir", dir_, "--pooled", "--lease", "1s"});
  ASSERT_EQ(last.exit_code, 0) << last.output;

  EXPECT_EQ(Scalar("SELECT count(*) || ' ' || count(DISTINCT v) FROM mt.applied_log"),
            fmt::format("{0} {0}", expected_rows))
      << "a statement ran twice or never";
  EXPECT_EQ(Scalar("SELECT count(*) FROM pgstack.schema_history WHERE state = 'applied'"),
            std::to_string(kMigrations));
  EXPECT_EQ(HistoryRows(), kMigrations);
  // A later run finds nothing to do and changes nothing.
  auto again = Run({"up", "--dir", dir_, "--pooled"});
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(Scalar("SELECT count(*) FROM mt.applied_log"), std::to_string(expected_rows));
}

// SIGKILL while a batch's first migration holds an ACCESS EXCLUSIVE lock in a long statement:
// the server notices the runner is gone (client_connection_check_interval) and ends the work,
// so the lock is free within a few seconds and the rest of the batch never runs; the rerun then
// applies each migration once.
class MigrateKill : public Migrate {
 protected:
  void KillMidStatementEndsTheWorkOnTheServer(const std::string& via) {
    ASSERT_EQ(Scalar("CREATE TABLE mt.locked (id int); CREATE TABLE mt.go (x int); "
                     "CREATE TABLE mt.applied_log (v int); SELECT 1"),
              "1");
    WriteText(dir_ + "/0001_hold.sql",
              "-- pgstack:up\nINSERT INTO mt.applied_log VALUES (1);\n"
              "LOCK TABLE mt.locked IN ACCESS EXCLUSIVE MODE;\n"
              "SELECT pg_sleep(60) WHERE NOT EXISTS (SELECT FROM mt.go);\n");
    for (int i = 2; i <= 3; ++i) {
      WriteText(fmt::format("{}/{:04}_after.sql", dir_, i),
                fmt::format("-- pgstack:up\nINSERT INTO mt.applied_log VALUES ({});\n", i));
    }
    pid_t pid = Spawn({"up", "--dir", dir_, via, "--lease", "1s"});
    AwaitSleep("pg_sleep(60)");
    KillAndReap(pid);
    Status freed = WaitFor(
        "the killed runner's ACCESS EXCLUSIVE lock to be released",
        [&] {
          return Scalar(
                     "SELECT count(*) FROM pg_locks WHERE relation = 'mt.locked'::regclass "
                     "AND mode = 'AccessExclusiveLock'") == "0";
        },
        std::chrono::seconds(4));
    EXPECT_TRUE(freed.ok()) << freed.message();
    EXPECT_EQ(Scalar("SELECT count(*) FROM mt.applied_log"), "0")
        << "the batch went on without its runner";
    ASSERT_EQ(Scalar("INSERT INTO mt.go VALUES (1); SELECT 1"), "1");
    auto rerun = Run({"up", "--dir", dir_, via, "--lock-timeout", "30s"});
    ASSERT_EQ(rerun.exit_code, 0) << rerun.output;
    EXPECT_EQ(Scalar("SELECT string_agg(v::text, ',' ORDER BY v) FROM mt.applied_log"), "1,2,3");
    EXPECT_EQ(HistoryRows(), 3);
  }
};

TEST_F(MigrateKill, SigkillMidStatementDirectlyFreesItsLocksAndStopsTheBatch) {
  KillMidStatementEndsTheWorkOnTheServer("--direct");
}

TEST_F(MigrateKill, SigkillMidStatementThroughPgBouncerFreesItsLocksAndStopsTheBatch) {
  KillMidStatementEndsTheWorkOnTheServer("--pooled");
}

}  // namespace
}  // namespace pgstack::testing
