// Migrations that change settings: SET, RESET, RESET ALL, SET ROLE, SET LOCAL and set_config(),
// in one transaction (batched, or alone when it holds COPY) and statement by statement, directly
// and through PgBouncer. Each applies with its history row and its time, its settings hold for
// the rest of its transaction, and none reaches the next migration (on a pooled server
// connection it would reach other clients too).
#include <fmt/format.h>

#include <string>

#include "migrate_fixture.h"

namespace pgstack::testing {
namespace {

// What a migration sees of the session: who runs it and the settings migrations change.
std::string RecordSeen(int step) {
  return fmt::format(
      "INSERT INTO mt.seen SELECT {}, current_user, current_setting('search_path'), "
      "coalesce(current_setting('mt.flag', true), ''), current_setting('client_min_messages');\n",
      step);
}

class MigrateSettings : public Migrate {
 protected:
  void SetUp() override {
    Migrate::SetUp();
    // What a session of the runner's role starts with (a new backend: nothing leaked into it).
    auto direct = TestStack::Shared().Direct();
    ASSERT_TRUE(direct.ok()) << direct.status().message();
    auto r = direct->Exec(
        "SELECT current_user, concat_ws('|', current_user, current_setting('search_path'), "
        "coalesce(current_setting('mt.flag', true), ''), current_setting('client_min_messages'))");
    ASSERT_TRUE(r.ok()) << r.status().message();
    runner_ = r->get(0, 0);
    fresh_ = r->get(0, 1);
    auto su = TestStack::Shared().Superuser();
    ASSERT_TRUE(su.ok()) << su.status().message();
    // A role the runner may SET ROLE to, which may create tables in mt and nothing else.
    Status made = su->Run(
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mt_setter') THEN "
        "CREATE ROLE mt_setter NOLOGIN; END IF; END $$; GRANT mt_setter TO " +
        su->QuoteIdent(runner_));
    ASSERT_TRUE(made.ok()) << made.message();
    Status tables = direct->Run(
        "GRANT USAGE, CREATE ON SCHEMA mt TO mt_setter; CREATE TABLE mt.quiet (id int); CREATE "
        "TABLE mt.seen (step int, usr text, path text, flag text, cmm text, "
        "at timestamptz DEFAULT clock_timestamp())");
    ASSERT_TRUE(tables.ok()) << tables.message();
    WriteText(dir_ + "/0001_set.sql",
              "-- pgstack:up\nSET client_min_messages = 'ERROR';\nRESET client_min_messages;\n"
              "SET search_path = mt;\nSELECT set_config('mt.flag', 'on', false);\n"
              "SET LOCAL statement_timeout = '1min';\nSELECT pg_sleep(0.2);\n"
              "INSERT INTO mt.seen (step) VALUES (1);\nINSERT INTO quiet VALUES (1);\nSET "
              "client_min_messages = 'ERROR';\n"
              "SET ROLE mt_setter;\nCREATE TABLE mt.owned (x int);\n");
    WriteText(dir_ + "/0002_reset_all.sql",
              "-- pgstack:up\n" + RecordSeen(2) +
                  "SET search_path = nowhere;\nRESET ALL;\nINSERT INTO mt.quiet VALUES (2);\n");
    WriteText(dir_ + "/0003_copy.sql",
              "-- pgstack:up\n" + RecordSeen(3) +
                  "SET search_path = mt;\nCOPY quiet FROM stdin;\n3\n\\.\nSET ROLE mt_setter;\n"
                  "SELECT set_config('mt.flag', 'copy', false);\n");
    WriteText(dir_ + "/0004_steps.sql",
              "-- pgstack:up no-transaction\n" + RecordSeen(4) +
                  "SET search_path = mt;\nSELECT set_config('mt.flag', 'steps', false);\n"
                  "SET ROLE mt_setter;\nSELECT pg_sleep(0.2);\n"
                  "CREATE INDEX CONCURRENTLY quiet_id ON mt.quiet (id);\n"
                  "SET client_min_messages = 'ERROR';\n");
    WriteText(dir_ + "/0005_after.sql", "-- pgstack:up\n" + RecordSeen(5));
  }

  void AppliesWithoutLeaking(const std::string& via) {
    auto up = Run({"up", "--dir", dir_, via});
    ASSERT_EQ(up.exit_code, 0) << up.output;
    EXPECT_EQ(Scalar("SELECT string_agg(id::text, ',' ORDER BY id) FROM mt.quiet"), "1,2,3");
    // SET ROLE held for the rest of its migration's transaction.
    EXPECT_EQ(Scalar("SELECT tableowner FROM pg_tables WHERE tablename = 'owned'"), "mt_setter");
    // Each migration after one that changed settings saw the runner's own session.
    for (int step = 2; step <= 5; ++step) {
      EXPECT_EQ(Scalar(fmt::format("SELECT concat_ws('|', usr, path, flag, cmm) FROM mt.seen "
                                   "WHERE step = {}",
                                   step)),
                fresh_)
          << "step " << step;
    }
    EXPECT_EQ(Scalar("SELECT count(*) FROM pgstack.schema_history WHERE state = 'applied' AND "
                     "applied_by LIKE '% as ' || current_user"),
              "5");
    // The time is each migration's own: 0001 and 0004 sleep 200 ms. 0002 ran after 0001 (in the
    // same round trip) marked the end of its sleep, and before 0003 marked its start: its time
    // is within that span, which a time counted from 0001's start would exceed by the sleep.
    EXPECT_EQ(Scalar("SELECT string_agg((execution_ms >= 200)::text, ',' ORDER BY version) "
                     "FROM pgstack.schema_history WHERE version IN ('1', '4')"),
              "true,true");
    EXPECT_EQ(Scalar("SELECT h.execution_ms <= ceil(extract(epoch FROM s3.at - s1.at) * 1000) "
                     "FROM pgstack.schema_history h, mt.seen s1, mt.seen s3 "
                     "WHERE h.version = '2' AND s1.step = 1 AND s3.step = 3"),
              "t")
        << Scalar(
               "SELECT string_agg(step || ' at ' || to_char(at, 'SS.MS'), ', ' ORDER BY step) "
               "FROM mt.seen") +
               "; 0002 took " +
               Scalar("SELECT execution_ms FROM pgstack.schema_history WHERE version = '2'") +
               " ms";
    // Nothing is left on the server connections either: a new session through PgBouncer sees
    // the defaults.
    EXPECT_EQ(Scalar("SELECT concat_ws('|', current_user, current_setting('search_path'), "
                     "coalesce(current_setting('mt.flag', true), ''), "
                     "current_setting('client_min_messages'))"),
              fresh_);
  }

  std::string runner_;
  std::string fresh_;  // the session's state as it starts
};

TEST_F(MigrateSettings, DirectlyEachAppliesAndNoneLeaksToTheNext) {
  AppliesWithoutLeaking("--direct");
}

TEST_F(MigrateSettings, PooledEachAppliesAndNoneLeaksToTheNext) {
  AppliesWithoutLeaking("--pooled");
}

}  // namespace
}  // namespace pgstack::testing
