// History rows against the files that claim them: a file with an applied version but another
// name is another migration (not an edit that `repair` accepts), and a half-run statement-by-
// statement migration whose file now runs in one transaction is refused, not run again.
#include <string>

#include "migrate_fixture.h"

namespace pgstack::testing {
namespace {

TEST_F(Migrate, AnotherMigrationWithAnAppliedVersionIsRefusedAndRepairLeavesItAlone) {
  WriteText(dir_ + "/0001_init.sql", "-- pgstack:up\nCREATE TABLE mt.init (id int);\n");
  ASSERT_EQ(Run({"up", "--dir", dir_}).exit_code, 0);
  std::string applied = Scalar("SELECT checksum FROM pgstack.schema_history WHERE version = '1'");
  fs::remove(dir_ + "/0001_init.sql");
  WriteText(dir_ + "/001_b1.sql", "-- pgstack:up\nCREATE TABLE mt.b1 (id int);\n");

  auto up = Run({"up", "--dir", dir_});
  EXPECT_EQ(up.exit_code, 3) << up.output;
  for (const char* said : {"name_differs 1", "\"init\"", "\"b1\""})
    EXPECT_NE(up.output.find(said), std::string::npos) << up.output;
  for (const char* unsaid : {"repair", "edited"})
    EXPECT_EQ(up.output.find(unsaid), std::string::npos) << up.output;

  // repair accepts edits only: it records nothing of another migration.
  auto repair = Run({"repair", "--dir", dir_});
  EXPECT_EQ(repair.exit_code, 0) << repair.output;
  EXPECT_EQ(Scalar("SELECT checksum || ' ' || name FROM pgstack.schema_history"),
            applied + " init");
  EXPECT_EQ(Scalar("SELECT to_regclass('mt.b1') IS NULL"), "t");
}

TEST_F(Migrate, HalfRunMadeTransactionalIsRefusedUntilItRunsStatementByStatementAgain) {
  ASSERT_EQ(Scalar("CREATE TABLE mt.applied_log (v int); SELECT 1"), "1");
  const std::string file = dir_ + "/0001_steps.sql";
  const std::string steps =
      "INSERT INTO mt.applied_log VALUES (1);\nSELECT 1 / {};\nINSERT INTO mt.applied_log "
      "VALUES (3);\n";
  auto body = [&](const std::string& divisor) {
    std::string s = steps;
    return s.replace(s.find("{}"), 2, divisor);
  };
  WriteText(file, "-- pgstack:up no-transaction\n" + body("0"));
  auto failed = Run({"up", "--dir", dir_});
  ASSERT_EQ(failed.exit_code, 1) << failed.output;
  ASSERT_EQ(Scalar("SELECT state || ' ' || statements_done FROM pgstack.schema_history"),
            "partial 1");

  // Fixed, and made transactional; repair accepts the edit.
  WriteText(file, "-- pgstack:up\n" + body("1"));
  ASSERT_EQ(Run({"repair", "--dir", dir_}).exit_code, 0);
  auto refused = Run({"up", "--dir", dir_, "--pooled"});
  EXPECT_EQ(refused.exit_code, 3) << refused.output;
  EXPECT_NE(refused.output.find("now runs in one transaction"), std::string::npos)
      << refused.output;
  EXPECT_EQ(Scalar("SELECT string_agg(v::text, ',' ORDER BY v) FROM mt.applied_log"), "1");

  // Doing what it says resumes after the statement that committed.
  WriteText(file, "-- pgstack:up no-transaction\n" + body("1"));
  ASSERT_EQ(Run({"repair", "--dir", dir_}).exit_code, 0);
  auto resumed = Run({"up", "--dir", dir_, "--pooled"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(Scalar("SELECT string_agg(v::text, ',' ORDER BY v) FROM mt.applied_log"), "1,3");
  EXPECT_EQ(Scalar("SELECT state FROM pgstack.schema_history"), "applied");
}

}  // namespace
}  // namespace pgstack::testing
