// The directory readers: each format from a small tree, detection, and the bad inputs that must
// be refused (naming the file) before any connection.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "pgstack/migrate/checksum.h"
#include "pgstack/migrate/planner.h"
#include "pgstack/migrate/source.h"
#include "test_files.h"

namespace pgstack::migrate {
namespace {

class MigrateFormats : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "pgstack-mf.XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& rel, const std::string& content) {
    testing::WriteText(dir_ + "/" + rel, content);
  }
  Result<MigrationSet> Read(std::optional<Format> f = std::nullopt) {
    return ReadMigrations(dir_, f);
  }
  std::string Error(std::optional<Format> f = std::nullopt) {
    auto r = Read(f);
    EXPECT_FALSE(r.ok());
    if (r.ok()) return "";
    EXPECT_EQ(r.status().code(), Code::kInvalidInput) << r.status().message();
    return r.status().message();
  }
  std::string dir_;
};

TEST_F(MigrateFormats, Pgstack) {
  Write(
      "0001_suites.sql",
      "-- pgstack:up lock-timeout=10s\nCREATE TABLE a (id int);\n-- pgstack:down\nDROP TABLE a;\n");
  Write("0002_idx.sql", "-- pgstack:up no-transaction\nCREATE INDEX CONCURRENTLY i ON a (id);\n");
  auto r = Read();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->format, Format::kPgstack);
  ASSERT_EQ(r->migrations.size(), 2u);
  const Migration& m = r->migrations[0];
  EXPECT_EQ(m.key(), "1");
  EXPECT_EQ(m.name, "suites");
  EXPECT_EQ(m.up_options.lock_timeout_ms, 10000);
  EXPECT_EQ(m.up.first_line, 2);
  ASSERT_TRUE(m.down.has_value());
  EXPECT_EQ(m.down->first_line, 4);
  EXPECT_EQ(m.UpMode(), RunMode::kTransaction);
  EXPECT_EQ(r->migrations[1].UpMode(), RunMode::kStatements);
  EXPECT_FALSE(r->migrations[1].down.has_value());
}

TEST_F(MigrateFormats, GolangMigrate) {
  Write("000002_b.up.sql", "SELECT 2;");
  Write("000001_a.up.sql", "SELECT 1;");
  Write("000001_a.down.sql", "SELECT -1;");
  Write("README.md", "not a migration");
  auto r = Read();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->format, Format::kGolangMigrate);
  ASSERT_EQ(r->migrations.size(), 2u);
  EXPECT_EQ(r->migrations[0].key(), "1");
  EXPECT_TRUE(r->migrations[0].down.has_value());
  EXPECT_EQ(r->migrations[1].key(), "2");
}

TEST_F(MigrateFormats, Dbmate) {
  Write("20240101000001_a.sql",
        "-- migrate:up transaction:false\nVACUUM;\n\n-- migrate:down\nSELECT 0;\n");
  auto r = Read();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->format, Format::kDbmate);
  EXPECT_TRUE(r->migrations[0].up_options.no_transaction);
  EXPECT_EQ(r->migrations[0].key(), "20240101000001");
}

TEST_F(MigrateFormats, FlywayVersionedUndoAndRepeatable) {
  Write("V1__init.sql", "CREATE TABLE a (id int);");
  Write("V1_10__more.sql", "SELECT 110;");
  Write("V1.9__less.sql", "SELECT 19;");
  Write("U1__init.sql", "DROP TABLE a;");
  Write("R__view.sql", "CREATE OR REPLACE VIEW v AS SELECT 1;");
  auto r = Read();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->format, Format::kFlyway);
  ASSERT_EQ(r->migrations.size(), 4u);
  EXPECT_EQ(r->migrations[0].key(), "1");
  EXPECT_TRUE(r->migrations[0].down.has_value());
  EXPECT_EQ(r->migrations[1].key(), "1.9");
  EXPECT_EQ(r->migrations[2].key(), "1.10");
  EXPECT_TRUE(r->migrations[3].repeatable());
  EXPECT_EQ(r->migrations[3].key(), "R__view");
}

TEST_F(MigrateFormats, SqlxWithNoTransaction) {
  Write("20240101_a.sql", "-- no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);");
  Write("20240102_b.sql", "SELECT 1;");
  auto r = Read();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->format, Format::kSqlx);
  EXPECT_TRUE(r->migrations[0].up_options.no_transaction);
  EXPECT_FALSE(r->migrations[1].up_options.no_transaction);
}

TEST_F(MigrateFormats, DieselIncludingVersionZero) {
  Write("00000000000000_diesel_initial_setup/up.sql", "SELECT 0;");
  Write("00000000000000_diesel_initial_setup/down.sql", "SELECT 0;");
  Write("2024-01-01-120000_users/up.sql", "CREATE TABLE users (id int);");
  Write("2024-01-01-120000_users/down.sql", "DROP TABLE users;");
  auto r = Read();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->format, Format::kDiesel);
  ASSERT_EQ(r->migrations.size(), 2u);
  EXPECT_EQ(r->migrations[0].key(), "0");
  EXPECT_EQ(r->migrations[1].key(), "20240101120000");
}

TEST_F(MigrateFormats, MixedFormatsNameBothFiles) {
  Write("000001_a.up.sql", "SELECT 1;");
  Write("V2__b.sql", "SELECT 2;");
  std::string e = Error();
  EXPECT_NE(e.find("000001_a.up.sql"), std::string::npos) << e;
  EXPECT_NE(e.find("V2__b.sql"), std::string::npos) << e;
}

TEST_F(MigrateFormats, DuplicateVersionsNameBothFiles) {
  Write("1_a.up.sql", "SELECT 1;");
  Write("001_b.up.sql", "SELECT 1;");
  std::string e = Error();
  EXPECT_NE(e.find("duplicate version 1"), std::string::npos) << e;
  EXPECT_NE(e.find("1_a.up.sql"), std::string::npos) << e;
  EXPECT_NE(e.find("001_b.up.sql"), std::string::npos) << e;
}

TEST_F(MigrateFormats, DownWithoutUp) {
  Write("000001_a.up.sql", "SELECT 1;");
  Write("000002_b.down.sql", "SELECT 2;");
  EXPECT_NE(Error().find("000002_b.down.sql: a down file without its up file"), std::string::npos);
}

TEST_F(MigrateFormats, UnparseableName) {
  Write("create_things.sql", "SELECT 1;");
  EXPECT_NE(Error().find("create_things.sql: not a migration name"), std::string::npos);
}

TEST_F(MigrateFormats, ForcedFormatRejectsOtherNames) {
  Write("000001_a.up.sql", "SELECT 1;");
  EXPECT_NE(Error(Format::kFlyway).find("not a Flyway name"), std::string::npos);
}

TEST_F(MigrateFormats, EmptyMigrationIsListedAndRefusedOnlyWhenApplied) {
  // As `migrate new` writes it: status, plan and new read it; up and validate refuse it.
  Write("0001_a.sql", "-- pgstack:up\n-- only a comment\n\n-- pgstack:down\nSELECT 1;\n");
  auto r = Read();
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->migrations.size(), 1u);
  EXPECT_TRUE(r->migrations[0].unwritten);
  Status s = Unwritten({&r->migrations[0]});
  EXPECT_EQ(s.code(), Code::kInvalidInput);
  EXPECT_NE(s.message().find("0001_a.sql:2: empty migration"), std::string::npos) << s.message();
}

TEST_F(MigrateFormats, GolangMigrateEmptyFilesAreNoOpSteps) {
  // golang-migrate runs an empty (or comment-only) file as a no-op, up or down.
  Write("000001_a.up.sql", "");
  Write("000001_a.down.sql", "-- nothing to undo\n");
  Write("000002_b.up.sql", "SELECT 2;");
  auto r = Read();
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->migrations.size(), 2u);
  EXPECT_TRUE(r->migrations[0].up.statements.empty());
  ASSERT_TRUE(r->migrations[0].down.has_value()) << "an empty down file is a no-op down";
  EXPECT_TRUE(r->migrations[0].down->statements.empty());
  EXPECT_FALSE(r->migrations[1].down.has_value()) << "no down file: no down";
}

TEST_F(MigrateFormats, EmptyFilesPerFormatAsEachToolRunsThem) {
  // dbmate executes a section as it is: an empty one is a no-op, up or down.
  Write("20240101000001_a.sql", "-- migrate:up\n-- nothing\n-- migrate:down\n");
  auto r = Read();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->migrations[0].up.statements.empty());
  ASSERT_TRUE(r->migrations[0].down.has_value()) << "dbmate: an empty down section is a no-op";
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  // Flyway records an empty script as applied; an empty undo is a no-op undo.
  Write("V1__a.sql", "");
  Write("U1__a.sql", "-- nothing\n");
  Write("R__b.sql", "\n");
  r = Read();
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->migrations.size(), 2u);
  ASSERT_TRUE(r->migrations[0].down.has_value()) << "Flyway: an empty undo is a no-op";
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  // sqlx executes an empty file.
  Write("0001_a.sql", "");
  r = Read(Format::kSqlx);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->migrations[0].up.statements.empty());
}

TEST_F(MigrateFormats, DieselRefusesZeroByteFilesButRunsCommentOnlyOnes) {
  Write("2024-01-01-000000_a/up.sql", "-- nothing yet\n");
  Write("2024-01-01-000000_a/down.sql", "-- nothing to undo\n");
  Write("2024-01-01-000001_b/up.sql", "SELECT 1;");
  Write("2024-01-01-000001_b/down.sql", "");
  auto r = Read();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->migrations[0].up.statements.empty());
  EXPECT_TRUE(r->migrations[0].down.has_value()) << "a comment-only down.sql is a no-op down";
  EXPECT_FALSE(r->migrations[1].down.has_value()) << "diesel refuses to revert a 0-byte down.sql";
  Write("2024-01-01-000002_c/up.sql", "");
  EXPECT_NE(Error().find("2024-01-01-000002_c/up.sql: empty migration"), std::string::npos);
}

TEST_F(MigrateFormats, FlywayPlaceholdersSubstitutedAsFlywayDoes) {
  const std::string raw =
      "CREATE TABLE ${flyway:defaultSchema}.t (o text DEFAULT '${Owner}');\n"
      "-- by ${flyway:user} on ${flyway:database} (${flyway:environment}), ${flyway:filename}\n"
      "GRANT SELECT ON ${flyway:table} TO ${my_role};${empty}\n";
  Write("V1__a.sql", raw);
  FlywayPlaceholders ph = MakeFlywayPlaceholders(
      {{"owner", "alice"}, {"empty", ""}}, {.user = "u1", .database = "db1", .environment = "dev"},
      std::vector<std::string>{"FLYWAY_PLACEHOLDERS_MY_ROLE=reader", "PATH=/bin"});
  auto r = ReadMigrations(dir_, std::nullopt, &ph);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->migrations[0].up.sql,
            "CREATE TABLE public.t (o text DEFAULT 'alice');\n"
            "-- by u1 on db1 (dev), V1__a.sql\n"
            "GRANT SELECT ON flyway_schema_history TO reader;\n");
  // The checksum is of the file as written: a different value is no edit.
  EXPECT_EQ(r->migrations[0].checksum, Checksum(raw));
  auto ts = MakeFlywayPlaceholders({}, {}, std::vector<std::string>{}).values["flyway:timestamp"];
  EXPECT_EQ(ts.size(), 19u) << ts;  // yyyy-MM-dd HH:mm:ss
  EXPECT_FALSE(MakeFlywayPlaceholders({}, {}, std::vector<std::string>{})
                   .values["flyway:workingdirectory"]
                   .empty());
}

TEST_F(MigrateFormats, FlywayPlaceholderUndefinedOrUnterminatedNamesLineAndColumn) {
  FlywayPlaceholders ph = MakeFlywayPlaceholders({}, {}, std::vector<std::string>{});
  Write("V1__a.sql", "SELECT 1;\nSELECT '${Missing}';\n");
  auto r = ReadMigrations(dir_, std::nullopt, &ph);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("V1__a.sql:2:9: no value for the Flyway placeholder "
                                      "${Missing}"),
            std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("FLYWAY_PLACEHOLDERS_MISSING"), std::string::npos);
  Write("V1__a.sql", "SELECT '${flyway:user}';\n");
  r = ReadMigrations(dir_, std::nullopt, &ph);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("V1__a.sql:1:9: no value for Flyway's built-in"),
            std::string::npos);
  Write("V1__a.sql", "SELECT 1;\n SELECT '${oops';\n");
  r = ReadMigrations(dir_, std::nullopt, &ph);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("V1__a.sql:2:10: a Flyway placeholder '${' without"),
            std::string::npos);
  // A script's .conf can turn replacement off, as in Flyway.
  Write("V1__a.sql.conf", "placeholderReplacement=false\n");
  r = ReadMigrations(dir_, std::nullopt, &ph);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->migrations[0].up.sql, "SELECT 1;\n SELECT '${oops';\n");
}

TEST_F(MigrateFormats, FlywayPlaceholderWithoutValueNamesEveryFileOrListsThem) {
  FlywayPlaceholders ph = MakeFlywayPlaceholders({}, {}, std::vector<std::string>{});
  Write("V1__a.sql", "SELECT '${tenant}';\n");
  Write("V2__b.sql", "SELECT 2;\n");
  Write("V3__c.sql", "SELECT 3;\nSELECT '${tenant}';\n");
  Write("U3__c.sql", "SELECT '${other}';\n");
  auto r = ReadMigrations(dir_, std::nullopt, &ph);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidInput);
  const std::string& msg = r.status().message();
  EXPECT_NE(msg.find("cannot read 3 migration files"), std::string::npos) << msg;
  EXPECT_NE(msg.find("V1__a.sql:1:9: no value for the Flyway placeholder ${tenant}"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("V3__c.sql:2:9: no value"), std::string::npos) << msg;
  EXPECT_NE(msg.find("U3__c.sql:1:9: no value for the Flyway placeholder ${other}"),
            std::string::npos)
      << msg;
  // Listed instead: each migration is there, with its checksum, the unreadable ones marked.
  r = ReadMigrations(dir_, std::nullopt, &ph, Unreadable::kList);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->migrations.size(), 3u);
  ASSERT_EQ(r->migrations[0].unreadable.size(), 1u);
  EXPECT_NE(r->migrations[0].unreadable[0].find("V1__a.sql:1:9"), std::string::npos);
  EXPECT_TRUE(r->migrations[0].up.statements.empty());
  EXPECT_EQ(r->migrations[0].checksum, Checksum("SELECT '${tenant}';\n"));
  EXPECT_TRUE(r->migrations[1].unreadable.empty());
  EXPECT_EQ(r->migrations[2].unreadable.size(), 2u) << "its up and its undo file";
}

TEST_F(MigrateFormats, InvalidUtf8NamesLineAndColumn) {
  Write("000001_a.up.sql", "SELECT 1;\nSELECT 'ab\xff';\n");
  EXPECT_NE(Error().find("000001_a.up.sql:2:11: the file is not valid UTF-8"), std::string::npos);
}

TEST_F(MigrateFormats, NulByteRefusedWithLineAndColumn) {
  // The simple-query string would end at the NUL: the migration "applied" without its SQL.
  Write("0001_nul.sql", std::string("-- pgstack:up\nCREATE TABLE t (id int);\0\n", 40));
  EXPECT_NE(Error().find("0001_nul.sql:2:25: a NUL byte"), std::string::npos) << Error();
}

TEST_F(MigrateFormats, NulByteRefusedInEveryFormatAndOutsideSections) {
  Write("000001_a.up.sql", std::string("SELECT 1;\n-- \0\n", 15));
  EXPECT_NE(Error().find("000001_a.up.sql:2:4: a NUL byte"), std::string::npos) << Error();
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  Write("2024-01-01-000000_a/up.sql", std::string("SELECT\0 1;", 10));
  EXPECT_NE(Error().find("2024-01-01-000000_a/up.sql:1:7: a NUL byte"), std::string::npos);
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  Write("0001_a.sql", std::string("\0\n-- pgstack:up\nSELECT 1;\n", 25));
  EXPECT_NE(Error().find("0001_a.sql:1:1: a NUL byte"), std::string::npos) << Error();
}

TEST_F(MigrateFormats, DownOnlyFileIsPgstackAndRefused) {
  // Read as sqlx, its DROP ran as up.
  Write("0001_only_down.sql", "-- pgstack:down\nDROP TABLE keepme;\n");
  EXPECT_NE(Error().find("0001_only_down.sql:1: no '-- pgstack:up' line"), std::string::npos);
  EXPECT_NE(Error(Format::kPgstack).find("no '-- pgstack:up' line"), std::string::npos);
  std::filesystem::remove(dir_ + "/0001_only_down.sql");
  Write("0001_only_down.sql", "-- migrate:down\nDROP TABLE keepme;\n");
  EXPECT_NE(Error().find("0001_only_down.sql:1: no '-- migrate:up' line"), std::string::npos);
}

TEST_F(MigrateFormats, ByteOrderMarkDoesNotHideTheMarker) {
  Write("0001_a.sql", "\xEF\xBB\xBF-- pgstack:up\nSELECT 1;\n-- pgstack:down\nSELECT 2;\n");
  Write("0002_b.sql", "-- pgstack:up\nSELECT 3;\n");
  auto r = Read();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->format, Format::kPgstack);
  ASSERT_EQ(r->migrations[0].up.statements.size(), 1u);
  EXPECT_EQ(r->migrations[0].up.sql, "SELECT 1;\n");
  // A sqlx file's BOM is not sent to the server either.
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  Write("0001_a.sql", "\xEF\xBB\xBFSELECT 1;\n");
  r = Read();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->migrations[0].up.sql, "SELECT 1;\n");
}

class MigrateLinks : public MigrateFormats {
 protected:
  void SetUp() override {
    MigrateFormats::SetUp();
    std::string tmpl = (std::filesystem::temp_directory_path() / "pgstack-out.XXXXXX").string();
    outside_ = mkdtemp(tmpl.data());
    std::ofstream(outside_ + "/secret.sql") << "SELECT 'secret';\n";
  }
  void TearDown() override {
    std::filesystem::remove_all(outside_);
    MigrateFormats::TearDown();
  }
  std::string outside_;
};

TEST_F(MigrateLinks, SymlinkOutsideTheDirectoryRefused) {
  std::filesystem::create_symlink(outside_ + "/secret.sql", dir_ + "/0001_a.sql");
  std::string e = Error();
  EXPECT_NE(e.find(dir_ + "/0001_a.sql: a symlink to "), std::string::npos) << e;
  EXPECT_NE(e.find("outside the migrations directory"), std::string::npos) << e;
  // Forced formats list the directory the same way.
  EXPECT_NE(Error(Format::kSqlx).find("outside the migrations directory"), std::string::npos);
}

TEST_F(MigrateLinks, SymlinkInsideIsFollowed) {
  Write(".shared/a.sql", "SELECT 1;\n");
  std::filesystem::create_symlink(dir_ + "/.shared/a.sql", dir_ + "/0001_a.sql");
  std::filesystem::create_symlink(".shared/a.sql", dir_ + "/0002_b.sql");
  auto r = Read(Format::kSqlx);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->migrations.size(), 2u);
}

TEST_F(MigrateLinks, SymlinkLoopNamed) {
  std::filesystem::create_symlink("0002_b.sql", dir_ + "/0001_a.sql");
  std::filesystem::create_symlink("0001_a.sql", dir_ + "/0002_b.sql");
  EXPECT_NE(Error().find("0001_a.sql: a symlink loop"), std::string::npos) << Error();
}

TEST_F(MigrateLinks, DieselFileOrDirectoryOutsideRefused) {
  std::filesystem::create_directories(dir_ + "/2024-01-01-000000_a");
  std::filesystem::create_symlink(outside_ + "/secret.sql", dir_ + "/2024-01-01-000000_a/up.sql");
  EXPECT_NE(Error().find("2024-01-01-000000_a/up.sql: a symlink to "), std::string::npos);
  std::filesystem::remove_all(dir_ + "/2024-01-01-000000_a");
  std::filesystem::rename(outside_ + "/secret.sql", outside_ + "/up.sql");
  std::filesystem::create_symlink(outside_, dir_ + "/2024-01-01-000000_a");
  EXPECT_NE(Error().find("2024-01-01-000000_a: a symlink to "), std::string::npos) << Error();
}

TEST_F(MigrateFormats, UnterminatedStringNamesWhereItStarts) {
  Write("0001_a.sql", "-- pgstack:up\nSELECT 1;\nSELECT $$ never closed;\n");
  EXPECT_NE(Error().find("0001_a.sql:3:8: unterminated dollar-quoted string $$"),
            std::string::npos);
}

TEST_F(MigrateFormats, OwnBeginCommitIsUnwrappedButInnerCommitRefused) {
  Write("000001_a.up.sql", "BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\n");
  auto r = Read();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->migrations[0].up.had_own_transaction);
  EXPECT_EQ(r->migrations[0].up.statements.size(), 1u);
  Write("000002_b.up.sql", "CREATE TABLE b (id int);\nCOMMIT;\nCREATE TABLE c (id int);\n");
  EXPECT_NE(Error().find("000002_b.up.sql:2:1: COMMIT inside a migration"), std::string::npos);
}

TEST(MigrateChecksum, LineEndingsDoNotMatter) {
  EXPECT_EQ(Checksum("a\r\nb\r\n"), Checksum("a\nb\n"));
  EXPECT_EQ(Checksum("a\rb"), Checksum("a\nb"));
  EXPECT_NE(Checksum("a\nb"), Checksum("a\nc"));
  EXPECT_EQ(Checksum(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // Exactly `sha256sum` of the text with LF endings (what other tools compute from the file).
  EXPECT_EQ(Checksum("a\r\nb\r\n"),
            "911169ddaaf146aff539f58c26c489af3b892dff0fe283c1c264c65ae5aa59a2");
}

TEST(MigrateVersion, ComparesPartByPart) {
  auto v = [](const char* s) { return *Version::Parse(s); };
  EXPECT_LT(v("1.9"), v("1.10"));
  EXPECT_EQ(v("000020"), v("20"));
  EXPECT_EQ(v("000020").str(), "20");
  EXPECT_FALSE(Version::Parse("1..2"));
  EXPECT_FALSE(Version::Parse("abc"));
  EXPECT_FALSE(Version::Parse("12345678901234567890"));
}

}  // namespace
}  // namespace pgstack::migrate
