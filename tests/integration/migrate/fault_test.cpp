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
    Write(fmt::format("{}/{:04}_m.sql", dir_, i), sql);
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

}  // namespace
}  // namespace pgstack::testing
