// Ctrl-C and SIGTERM stop `bench pool` promptly, even when its statement never finishes
// (issue 12 item 15): the trial run and the load cancel what runs on the server.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>

#include "fixture.h"

namespace pgstack::testing {
namespace {

// Sleeping backends of this stack's database, from any bench.
int Sleeping() {
  auto c = TestStack::Shared().Superuser();
  if (!c.ok()) return -1;
  auto r = c->Exec(
      "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND "
      "(application_name = 'pgstack bench' OR query = 'select pg_sleep(1000)')");
  return r.ok() ? std::stoi(r->scalar()) : -1;
}

TEST(BenchInterrupt, SigintDuringAStatementThatNeverEndsExits130AtOnce) {
  std::string log = TempDir("bench-sigint") + "/bench.log";
  pid_t pid = TestStack::Shared().SpawnPgstack(
      {"bench", "pool", "--sql", "select pg_sleep(1000)", "--clients", "2", "--duration", "5s"},
      log);
  ASSERT_TRUE(
      WaitFor(
          "the bench to run its statement", [] { return Sleeping() > 0; }, std::chrono::seconds(30))
          .ok());
  kill(pid, SIGINT);
  // The trial run gives up on its own after 10 s: a run still there at 5 s did not act on SIGINT.
  EXPECT_EQ(Reap(pid, std::chrono::seconds(5)), 130) << ReadText(log);
  EXPECT_NE(ReadText(log).find("interrupted (SIGINT)"), std::string::npos) << ReadText(log);
  EXPECT_TRUE(
      WaitFor(
          "the cancelled statement to end", [] { return Sleeping() == 0; }, std::chrono::seconds(5))
          .ok());
}

TEST(BenchInterrupt, SigtermDuringTheLoadExits143AndLeavesNothingRunning) {
  auto c = TestStack::Shared().Direct();
  ASSERT_TRUE(c.ok());
  // The trial run passes quickly; the load then sleeps once the gate row exists.
  ASSERT_TRUE(c->Run("DROP TABLE IF EXISTS bench_gate; CREATE TABLE bench_gate (x int)").ok());
  std::string log = TempDir("bench-sigterm") + "/bench.log";
  pid_t pid = TestStack::Shared().SpawnPgstack(
      {"bench", "pool", "--sql",
       "select pg_sleep(case when exists (select from bench_gate) then 1000 else 0.001 end)",
       "--endpoint", "direct,pooled", "--clients", "3", "--duration", "60s", "--warmup", "0s"},
      log);
  // The load's three clients, not the trial's one connection: a gate opened during the trial
  // would make the trial sleep past its limit and end the run before any load. Counted by this
  // run's statement: PgBouncer keeps the server connections of earlier benches in its pool
  // (min_pool_size), still named 'pgstack bench', which once opened the gate during the trial.
  ASSERT_TRUE(WaitFor(
                  "the load to start",
                  [&] {
                    auto r = c->Exec(
                        "SELECT count(*) >= 3 FROM pg_stat_activity WHERE application_name = "
                        "'pgstack bench' AND query LIKE '%from bench_gate%'");
                    return r.ok() && r->scalar() == "t";
                  },
                  std::chrono::seconds(60))
                  .ok());
  ASSERT_TRUE(c->Run("INSERT INTO bench_gate VALUES (1)").ok());
  ASSERT_TRUE(WaitFor(
                  "the load to sleep", [] { return Sleeping() > 0; }, std::chrono::seconds(60))
                  .ok());
  kill(pid, SIGTERM);
  // Its load would run on for the rest of its 60 s: a run still there at 10 s did not stop.
  EXPECT_EQ(Reap(pid, std::chrono::seconds(10)), 143) << ReadText(log);
  EXPECT_NE(ReadText(log).find("interrupted (SIGTERM)"), std::string::npos) << ReadText(log);
  EXPECT_TRUE(WaitFor(
                  "the cancelled statements to end", [] { return Sleeping() == 0; },
                  std::chrono::seconds(5))
                  .ok());
  ASSERT_TRUE(c->Run("DROP TABLE bench_gate").ok());
}

TEST(BenchInterrupt, AnUnwritableSvgFailsBeforeTheBenchmarkRuns) {
  auto c = TestStack::Shared().Direct();
  ASSERT_TRUE(c.ok());
  // Each run of the workload, the trial's included, leaves a row.
  ASSERT_TRUE(c->Run("DROP TABLE IF EXISTS bench_ran; CREATE TABLE bench_ran (x int)").ok());
  auto out =
      TestStack::Shared().Pgstack({"bench", "pool", "--sql", "insert into bench_ran values (1)",
                                   "--duration", "20s", "--svg", "/nonexistent-dir/chart.svg"});
  EXPECT_EQ(out.exit_code, 2) << out.output;
  EXPECT_NE(out.output.find("--svg /nonexistent-dir/chart.svg"), std::string::npos) << out.output;
  auto ran = c->Exec("SELECT count(*) FROM bench_ran");
  ASSERT_TRUE(ran.ok()) << ran.status().message();
  EXPECT_EQ(ran->scalar(), "0") << "it ran the benchmark first";
  ASSERT_TRUE(c->Run("DROP TABLE bench_ran").ok());
}

// bench jsonb's own long statements (generating the documents, building an index) are
// cancelled too: five million documents would take a minute.
TEST(BenchInterrupt, SigintWhileBenchJsonbGeneratesItsDocumentsExits130AtOnce) {
  std::string log = TempDir("bench-jsonb-sigint") + "/bench.log";
  pid_t pid = TestStack::Shared().SpawnPgstack({"bench", "jsonb", "--rows", "5000000"}, log);
  auto su = TestStack::Shared().Superuser();
  ASSERT_TRUE(su.ok()) << su.status().message();
  auto inserting = [&] {
    auto r = su->Exec(
        "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query ~ '^\\s*INSERT "
        "INTO'");
    return r.ok() && r->scalar() == "1";
  };
  ASSERT_TRUE(WaitFor("the documents to be generated", inserting, std::chrono::seconds(30)).ok());
  kill(pid, SIGINT);
  EXPECT_EQ(Reap(pid, std::chrono::seconds(10)), 130) << ReadText(log);
  EXPECT_TRUE(
      WaitFor(
          "the cancelled INSERT to end", [&] { return !inserting(); }, std::chrono::seconds(5))
          .ok());
}

}  // namespace
}  // namespace pgstack::testing
