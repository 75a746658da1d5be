// Each format's own semantics for empty files, on a real server: golang-migrate, dbmate and
// Flyway apply an empty up as a no-op migration and revert through an empty down (as each of
// them does), where pgstack's own format keeps refusing an empty up (unit-tested).
#include <gtest/gtest.h>

#include "fixture.h"

namespace pgstack::testing {
namespace {

// dir holds two migrations: the first creates empty_files_t, the second has no statement up or
// down. Both apply; the first down is the no-op one, the second drops the table.
void AppliesAndRevertsThroughTheNoOp(const std::string& dir) {
  auto c = TestStack::Shared().Direct();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c->Run("SET client_min_messages = warning; DROP SCHEMA IF EXISTS pgstack CASCADE; "
                     "DROP TABLE IF EXISTS empty_files_t")
                  .ok());
  auto up = TestStack::Shared().Pgstack({"migrate", "up", "--dir", dir});
  ASSERT_EQ(up.exit_code, 0) << up.output;
  EXPECT_EQ(c->Exec("SELECT count(*) FROM pgstack.schema_history")->scalar(), "2");
  auto down = TestStack::Shared().Pgstack({"migrate", "down", "--dir", dir});
  ASSERT_EQ(down.exit_code, 0) << down.output;
  EXPECT_EQ(c->Exec("SELECT count(*) FROM pgstack.schema_history")->scalar(), "1");
  EXPECT_EQ(c->Exec("SELECT to_regclass('empty_files_t') IS NOT NULL")->scalar(), "t");
  auto down2 = TestStack::Shared().Pgstack({"migrate", "down", "--dir", dir});
  ASSERT_EQ(down2.exit_code, 0) << down2.output;
  EXPECT_EQ(c->Exec("SELECT to_regclass('empty_files_t') IS NULL")->scalar(), "t");
  ASSERT_TRUE(c->Run("DROP SCHEMA IF EXISTS pgstack CASCADE").ok());
}

TEST(MigrateEmptyFiles, GolangMigrateEmptyUpAndDownAreNoOps) {
  std::string dir = TempDir("empty");
  WriteText(dir + "/000001_t.up.sql", "CREATE TABLE empty_files_t (id bigint);");
  WriteText(dir + "/000001_t.down.sql", "DROP TABLE empty_files_t;");
  WriteText(dir + "/000002_nothing.up.sql", "-- reserved\n");
  WriteText(dir + "/000002_nothing.down.sql", "");
  AppliesAndRevertsThroughTheNoOp(dir);
}

TEST(MigrateEmptyFiles, DbmateEmptySectionsAreNoOps) {
  std::string dir = TempDir("empty-dbmate");
  WriteText(dir + "/20240101000001_t.sql",
            "-- migrate:up\nCREATE TABLE empty_files_t (id bigint);\n-- migrate:down\nDROP TABLE "
            "empty_files_t;\n");
  WriteText(dir + "/20240101000002_nothing.sql", "-- migrate:up\n\n-- migrate:down\n");
  AppliesAndRevertsThroughTheNoOp(dir);
}

TEST(MigrateEmptyFiles, FlywayEmptyScriptAndUndoAreNoOps) {
  std::string dir = TempDir("empty-flyway");
  WriteText(dir + "/V1__t.sql", "CREATE TABLE empty_files_t (id bigint);");
  WriteText(dir + "/U1__t.sql", "DROP TABLE empty_files_t;");
  WriteText(dir + "/V2__nothing.sql", "");
  WriteText(dir + "/U2__nothing.sql", "-- nothing to undo\n");
  AppliesAndRevertsThroughTheNoOp(dir);
}

}  // namespace
}  // namespace pgstack::testing
