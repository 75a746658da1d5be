// Each format's own semantics for empty files, on a real server: golang-migrate applies an empty
// up file as a no-op migration and reverts through an empty down file (golang-migrate does),
// where pgstack's own format keeps refusing an empty up.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "fixture.h"

namespace pgstack::testing {
namespace {

void Write(const std::string& path, const std::string& content) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

TEST(MigrateEmptyFiles, GolangMigrateEmptyUpAndDownAreNoOps) {
  auto c = TestStack::Shared().Direct();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c->Run("SET client_min_messages = warning; DROP SCHEMA IF EXISTS pgstack CASCADE; "
                     "DROP TABLE IF EXISTS empty_files_t")
                  .ok());
  std::string dir = TempDir("empty");
  Write(dir + "/000001_t.up.sql", "CREATE TABLE empty_files_t (id bigint);");
  Write(dir + "/000001_t.down.sql", "DROP TABLE empty_files_t;");
  Write(dir + "/000002_nothing.up.sql", "-- reserved\n");
  Write(dir + "/000002_nothing.down.sql", "");
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

}  // namespace
}  // namespace pgstack::testing
