// `migrate new` in each tool's directory: the files that tool would write, read back as that
// format with the version that follows the directory's, and blocking neither status nor plan.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "pgstack/migrate/planner.h"
#include "pgstack/migrate/scaffold.h"
#include "pgstack/migrate/source.h"
#include "test_files.h"

namespace pgstack::migrate {
namespace {

namespace fs = std::filesystem;

class MigrateScaffold : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "pgstack-scaffold.XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& rel, const std::string& content) {
    testing::WriteText(dir_ + "/" + rel, content);
  }
  // The new migration's files, relative to the directory.
  std::vector<std::string> New(const std::string& name,
                               std::optional<Format> format = std::nullopt) {
    auto paths = NewMigration(dir_, name, format);
    EXPECT_TRUE(paths.ok()) << paths.status().message();
    std::vector<std::string> out;
    if (!paths.ok()) return out;
    for (const auto& p : *paths) out.push_back(fs::relative(p, dir_).string());
    return out;
  }
  // Reads the directory back as `format`: the newest migration, with no problem for status or
  // plan (nothing applied yet) and nothing `up` would refuse before running.
  const Migration* ReadBack(Format format, size_t count) {
    auto set = ReadMigrations(dir_);
    EXPECT_TRUE(set.ok()) << set.status().message();
    if (!set.ok()) return nullptr;
    set_ = std::move(*set);
    EXPECT_EQ(set_.format, format) << FormatName(set_.format);
    EXPECT_EQ(set_.migrations.size(), count);
    Plan plan = MakePlan(set_, {}, {});
    EXPECT_TRUE(plan.problems.empty());
    EXPECT_TRUE(Refusal(plan).ok()) << Refusal(plan).message();
    return set_.migrations.empty() ? nullptr : &set_.migrations.back();
  }
  std::string dir_;
  MigrationSet set_;
};

bool IsStamp(const std::string& s, size_t digits = 14) {
  return s.size() == digits && s.find_first_not_of("0123456789") == std::string::npos &&
         s.rfind("20", 0) == 0;
}

// The version of the one file `new` wrote, named <timestamp>_add_b.sql; "" when it is not that.
std::string StampOfOneFile(const std::vector<std::string>& files) {
  if (files.size() != 1) {
    ADD_FAILURE() << files.size() << " files written, not 1";
    return "";
  }
  EXPECT_TRUE(IsStamp(files[0].substr(0, 14))) << files[0];
  EXPECT_EQ(files[0].substr(14), "_add_b.sql");
  return files[0].substr(0, 14);
}

TEST_F(MigrateScaffold, DbmateTimestampWithItsMarkers) {
  Write("20240101120000_a.sql", "-- migrate:up\ncreate table a (x int);\n-- migrate:down\n");
  std::string stamp = StampOfOneFile(New("add_b"));
  ASSERT_FALSE(stamp.empty());
  const Migration* m = ReadBack(Format::kDbmate, 2);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->name, "add_b");
  EXPECT_EQ(m->version->str(), stamp);
  EXPECT_TRUE(m->down.has_value());  // "-- migrate:down" is there to fill in
}

TEST_F(MigrateScaffold, GolangMigrateContinuesItsSequenceWithUpAndDownFiles) {
  Write("000001_a.up.sql", "create table a (x int);\n");
  Write("000001_a.down.sql", "drop table a;\n");
  auto files = New("add_b");
  EXPECT_EQ(files, (std::vector<std::string>{"000002_add_b.up.sql", "000002_add_b.down.sql"}));
  const Migration* m = ReadBack(Format::kGolangMigrate, 2);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->version->str(), "2");
  EXPECT_FALSE(m->unwritten);  // golang-migrate runs an empty file as a no-op
}

TEST_F(MigrateScaffold, GolangMigrateByTimestamp) {
  Write("20240101120000_a.up.sql", "create table a (x int);\n");
  auto files = New("add_b");
  ASSERT_EQ(files.size(), 2u);
  EXPECT_TRUE(IsStamp(files[0].substr(0, 14))) << files[0];
  ReadBack(Format::kGolangMigrate, 2);
}

TEST_F(MigrateScaffold, FlywayNextVersion) {
  Write("V1__a.sql", "create table a (x int);\n");
  Write("V2_1__b.sql", "create table b (x int);\n");
  Write("R__views.sql", "create or replace view v as select 1;\n");
  EXPECT_EQ(New("add_c"), std::vector<std::string>{"V3__add_c.sql"});
  ReadBack(Format::kFlyway, 4);
  bool found = false;
  for (const auto& m : set_.migrations) found |= m.version && m.version->str() == "3";
  EXPECT_TRUE(found);
}

TEST_F(MigrateScaffold, FlywayInAnEmptyDirectoryStartsAtV1) {
  EXPECT_EQ(New("init", Format::kFlyway), std::vector<std::string>{"V1__init.sql"});
  ReadBack(Format::kFlyway, 1);
}

TEST_F(MigrateScaffold, SqlxSimpleOrReversibleAsTheDirectoryIs) {
  Write("20240101120000_a.sql", "create table a (x int);\n");
  std::string stamp = StampOfOneFile(New("add_b"));
  ASSERT_FALSE(stamp.empty());
  const Migration* m = ReadBack(Format::kSqlx, 2);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->version->str(), stamp);

  fs::remove_all(dir_);
  fs::create_directories(dir_);
  Write("20240101120000_a.up.sql", "create table a (x int);\n");
  Write("20240101120000_a.down.sql", "drop table a;\n");
  auto pair = New("add_b", Format::kSqlx);
  ASSERT_EQ(pair.size(), 2u);
  EXPECT_EQ(pair[0].substr(14), "_add_b.up.sql");
  EXPECT_EQ(pair[1].substr(14), "_add_b.down.sql");
  ASSERT_TRUE(ReadMigrations(dir_, Format::kSqlx).ok());
  EXPECT_EQ(ReadMigrations(dir_, Format::kSqlx)->migrations.size(), 2u);
}

TEST_F(MigrateScaffold, DieselDirectoryWithUpAndDown) {
  Write("2024-01-01-120000_a/up.sql", "create table a (x int);\n");
  Write("2024-01-01-120000_a/down.sql", "drop table a;\n");
  auto files = New("add_b");
  ASSERT_EQ(files.size(), 2u);
  std::string sub = fs::path(files[0]).parent_path().string();  // 2026-12-01-171500_add_b
  EXPECT_EQ(sub.size(), 17u + 6u) << sub;
  EXPECT_EQ(sub[4], '-');
  EXPECT_EQ(files[0], sub + "/up.sql");
  EXPECT_EQ(files[1], sub + "/down.sql");
  const Migration* m = ReadBack(Format::kDiesel, 2);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->name, "add_b");
  EXPECT_TRUE(m->version->str() > "20240101120000");
}

TEST_F(MigrateScaffold, PgstackSequenceStaysAndIsUnwrittenUntilWritten) {
  Write("0001_a.sql", "-- pgstack:up\ncreate table a (x int);\n");
  EXPECT_EQ(New("add_b"), std::vector<std::string>{"0002_add_b.sql"});
  auto set = ReadMigrations(dir_);
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->migrations.back().unwritten);  // up refuses it, status and plan list it
  EXPECT_EQ(New("add_c"), std::vector<std::string>{"0003_add_c.sql"});  // a second new works
}

}  // namespace
}  // namespace pgstack::migrate
