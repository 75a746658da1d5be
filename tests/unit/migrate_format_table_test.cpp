// The table of migration formats: every format has its row, and what a row's writer writes its
// reader reads back (SQL, down, and whether each direction runs outside a transaction), so that
// a migration pgstack writes in a team's format is the one that team's tool would run.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "../../src/migrate/format_table.h"
#include "pgstack/core/files.h"
#include "pgstack/migrate/source.h"

namespace pgstack::migrate::internal {
namespace {

namespace fs = std::filesystem;

class FormatTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "pgstack-ft.XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
  }
  void TearDown() override { fs::remove_all(dir_); }
  // Writes the draft as `spec` lays it out, under a subfolder of its own.
  std::string Write(const FormatSpec& spec, Draft d) {
    d.dir = dir_ + "/" + std::string(spec.name);
    for (const DraftFile& f : spec.write(d, MigrationSet{})) {
      EXPECT_TRUE(core::MakeDirs(fs::path(f.path).parent_path().string(), 0755).ok());
      EXPECT_TRUE(core::WriteFileAtomic(f.path, f.text, 0644).ok()) << f.path;
    }
    return d.dir;
  }
  std::string dir_;
};

TEST_F(FormatTableTest, EveryFormatHasItsRowAndItsName) {
  for (int i = 0; i <= static_cast<int>(Format::kDiesel); ++i) {
    Format f = static_cast<Format>(i);
    EXPECT_EQ(SpecOf(f).format, f) << i;
    EXPECT_EQ(ParseFormat(FormatName(f)), f) << FormatName(f);
  }
  EXPECT_EQ(FormatTable().size(), static_cast<size_t>(Format::kDiesel) + 1);
}

TEST_F(FormatTableTest, WhatEachWriterWritesItsReaderReadsBack) {
  for (const FormatSpec& spec : FormatTable()) {
    SCOPED_TRACE(std::string(spec.name));
    std::string dir = Write(spec, {"", "2", "add_t", DraftSection{"CREATE TABLE t (id int);\n"},
                                   DraftSection{"DROP TABLE t;"}});
    auto set = ReadMigrations(dir, spec.format);
    ASSERT_TRUE(set.ok()) << set.status().message();
    ASSERT_EQ(set->migrations.size(), 1u);
    const Migration& m = set->migrations[0];
    EXPECT_EQ(m.version->str(), "2");
    EXPECT_EQ(m.name, "add_t");
    ASSERT_EQ(m.up.statements.size(), 1u);
    EXPECT_NE(m.up.sql.find("CREATE TABLE t (id int);"), std::string::npos) << m.up.sql;
    EXPECT_EQ(m.UpMode(), RunMode::kTransaction);
    ASSERT_TRUE(m.down.has_value());
    EXPECT_NE(m.down->sql.find("DROP TABLE t;"), std::string::npos) << m.down->sql;
    EXPECT_EQ(m.DownMode(), RunMode::kTransaction);
  }
}

// A step marked no-transaction reads back as one, whether the format says so with a marker, a
// side file or (golang-migrate, which never wraps a file) the statement itself.
TEST_F(FormatTableTest, ANoTransactionStepReadsBackOutsideATransaction) {
  for (const FormatSpec& spec : FormatTable()) {
    SCOPED_TRACE(std::string(spec.name));
    std::string dir =
        Write(spec, {"", "3", "idx", DraftSection{"CREATE INDEX CONCURRENTLY i ON t (id);\n", true},
                     DraftSection{"DROP INDEX CONCURRENTLY i;\n", true}});
    auto set = ReadMigrations(dir, spec.format);
    ASSERT_TRUE(set.ok()) << set.status().message();
    ASSERT_EQ(set->migrations.size(), 1u);
    EXPECT_EQ(set->migrations[0].UpMode(), RunMode::kStatements);
    EXPECT_EQ(set->migrations[0].DownMode(), RunMode::kStatements);
    bool marked = set->migrations[0].up_options.no_transaction;
    EXPECT_TRUE(marked || spec.format == Format::kGolangMigrate) << "no marker written";
  }
}

// Detection finds the format of what a writer wrote (sqlx's reversible pair is golang-migrate's
// shape: detection reads it as golang-migrate, whose reader gives the same migration).
TEST_F(FormatTableTest, DetectionFindsTheWrittenFormat) {
  for (const FormatSpec& spec : FormatTable()) {
    SCOPED_TRACE(std::string(spec.name));
    std::string dir = Write(spec, {"", "4", "x", DraftSection{"SELECT 1;\n"}, std::nullopt});
    auto set = ReadMigrations(dir);
    ASSERT_TRUE(set.ok()) << set.status().message();
    EXPECT_EQ(set->format, spec.format) << FormatName(set->format);
  }
}

}  // namespace
}  // namespace pgstack::migrate::internal
