// migrate dump: a schema of every kind written as DDL reads back as the same schema, byte for
// byte; folders of one file per schema load in file-name order; bad DDL is exit 2 at file:line;
// no scratch database outlives a run, even a killed one.
#include "pgstack/migrate/dump.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>

#include "pgstack/core/interrupt.h"
#include "pgstack/migrate/catalog.h"
#include "pgstack/migrate/schema_plan.h"
#include "pgstack/migrate/schema_source.h"
#include "schema_fixture.h"

namespace pgstack::testing {
namespace {

namespace fs = std::filesystem;

const std::string kEveryKind = SourceDir() + "/tests/integration/schema/every_kind.sql";

using Dump = SchemaTest;

TEST_F(Dump, EveryKindReadsBackAsTheSameBytes) {
  Load(kEveryKind);
  std::string first = DumpOf({migrate::SchemaSource::Kind::kUrl, Url()});
  for (std::string_view want : {"CREATE SCHEMA IF NOT EXISTS app;",
                                "CREATE TYPE app.order_status AS ENUM",
                                "CREATE DOMAIN app.email AS text COLLATE pg_catalog.\"C\"",
                                "CREATE TYPE app.money_pair AS",
                                "CREATE SEQUENCE app.invoice_no AS integer INCREMENT BY 5",
                                "GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME app.accounts_id_seq",
                                "GENERATED ALWAYS AS (length(name)) STORED",
                                "CREATE UNLOGGED TABLE app.cache",
                                "WITH (fillfactor=70)",
                                "PARTITION BY RANGE (at)",
                                "CREATE TABLE app.events_rest PARTITION OF app.events DEFAULT;",
                                "ALTER SEQUENCE app.invoice_no OWNED BY app.accounts.code;",
                                "EXCLUDE USING gist",
                                "DEFERRABLE INITIALLY DEFERRED",
                                "INCLUDE (status) WHERE",
                                "USING gin (tags)",
                                "CREATE MATERIALIZED VIEW app.order_counts",
                                "WITH (security_barrier=true)",
                                "CREATE TRIGGER orders_touch",
                                "BEGIN ATOMIC",
                                "CREATE OR REPLACE PROCEDURE app.archive",
                                "ALTER TABLE app.orders FORCE ROW LEVEL SECURITY;",
                                "AS RESTRICTIVE FOR UPDATE",
                                "COMMENT ON COLUMN app.orders.note IS 'free text';",
                                "COMMENT ON CONSTRAINT name_short on app.accounts",
                                "GRANT USAGE ON SCHEMA app TO PUBLIC;",
                                "TO dump_reader WITH GRANT OPTION;",
                                "REVOKE EXECUTE ON ROUTINE app.next_code() FROM PUBLIC;",
                                "CREATE SEQUENCE audit.log_id_seq"}) {
    EXPECT_NE(first.find(want), std::string::npos) << want << " not in:\n" << first;
  }
  // Dependency order: what a statement names was created above it.
  EXPECT_LT(first.find("CREATE TABLE app.accounts"), first.find("CREATE VIEW app.paid_orders"));
  EXPECT_LT(first.find("CREATE VIEW app.paid_orders"), first.find("CREATE VIEW app.paid_accounts"));
  EXPECT_LT(first.find("FUNCTION app.next_code()"), first.find("CREATE TABLE app.accounts"));
  EXPECT_LT(first.find("CREATE TABLE app.orders"), first.find("FUNCTION app.order_total"));

  std::string file = dir_ + "/schema.sql";
  WriteText(file, first);
  int before = Databases();
  EXPECT_EQ(DumpOf({migrate::SchemaSource::Kind::kSqlFile, file}), first);
  EXPECT_EQ(Databases(), before) << "a scratch database was left behind";
}

TEST_F(Dump, AReadWithAHelperConnectionIsTheSameCatalog) {
  Load(kEveryKind);
  auto alone = Db();
  auto conn = Db();
  auto helper = Db();
  ASSERT_TRUE(alone.ok() && conn.ok() && helper.ok());
  for (bool owners : {false, true}) {
    migrate::CatalogFilter f{.exclude_schemas = {"audit"}, .owners = owners};
    auto one = migrate::ReadCatalog(*alone, f);
    auto two = migrate::ReadCatalog(*conn, f, &*helper);
    ASSERT_TRUE(one.ok()) << one.status().message();
    ASSERT_TRUE(two.ok()) << two.status().message();
    EXPECT_EQ(migrate::DumpSql(*two), migrate::DumpSql(*one));
    EXPECT_TRUE(migrate::Differences(*two, *one).empty());
    EXPECT_EQ(two->objects.size(), one->objects.size());
    EXPECT_FALSE(helper->in_transaction()) << "the helper's transaction stayed open";
  }
}

TEST_F(Dump, ASignalDuringTheReadLeavesNoFileAndNoFolder) {
  auto conn = Db();
  ASSERT_TRUE(conn.ok());
  auto catalog = migrate::ReadCatalog(*conn, {});
  ASSERT_TRUE(catalog.ok()) << catalog.status().message();
  core::SimulateInterrupt(SIGINT);
  Status file = migrate::WriteDump(*catalog, dir_ + "/schema.sql");
  Status folder = migrate::WriteDump(*catalog, dir_ + "/schema");
  core::ResetInterruptForTest();
  EXPECT_TRUE(core::IsInterruption(file)) << file.message();
  EXPECT_TRUE(core::IsInterruption(folder)) << folder.message();
  EXPECT_FALSE(fs::exists(dir_ + "/schema.sql"));
  EXPECT_FALSE(fs::exists(dir_ + "/schema"));
  EXPECT_TRUE(migrate::WriteDump(*catalog, dir_ + "/schema.sql").ok());
}

TEST_F(Dump, TheBinaryWritesAFileAndStdoutAlike) {
  Load(kEveryKind);
  std::string file = dir_ + "/out.sql";
  auto w = Pgstack({"dump", "--from", Url(), "--out", file});
  ASSERT_EQ(w.exit_code, 0) << w.output;
  EXPECT_EQ(w.output.find("password"), std::string::npos);
  auto again = Pgstack({"dump", "--from", file});
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(again.output, ReadText(file));
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::others_write, fs::perms::none);
}

std::vector<std::string> FileNames(const std::string& folder) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(folder)) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

TEST_F(Dump, AFolderHasOneFilePerSchemaInTheOrderTheyNeedEachOther) {
  // audit needs zeta, which needs public (its extensions): not the names' order.
  Sql("CREATE SCHEMA zeta; CREATE SCHEMA audit; CREATE TABLE zeta.t (id int, r int4range, "
      "EXCLUDE USING gist (id WITH =, r WITH &&)); CREATE VIEW audit.v AS SELECT id FROM zeta.t");
  std::string folder = DumpFolderThatReadsBack();
  EXPECT_EQ(FileNames(folder),
            (std::vector<std::string>{"01-public.sql", "02-zeta.sql", "03-audit.sql"}));
  EXPECT_NE(ReadText(folder + "/03-audit.sql").find("CREATE VIEW audit.v"), std::string::npos);
}

TEST_F(Dump, SchemasThatNeedEachOtherShareACrossSchemaFileLast) {
  // app needs public (btree_gist), public needs app: public.items <- app.orders.
  Load(kEveryKind);
  Sql("CREATE TABLE public.items (id int PRIMARY KEY, order_id bigint REFERENCES app.orders "
      "(id)); CREATE VIEW public.order_items AS SELECT o.id, i.id AS item FROM app.orders o JOIN "
      "public.items i ON i.order_id = o.id");
  std::string folder = DumpFolderThatReadsBack();
  auto names = FileNames(folder);
  ASSERT_EQ(names.size(), 4u);
  EXPECT_EQ(names.back(), "04-cross-schema.sql");
  // A foreign .sql file in the folder would be read with the dump: refused, nothing written.
  WriteText(folder + "/notes.sql", "SELECT 1;\n");
  auto refused = Pgstack({"dump", "--from", Url(), "--out", folder});
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_EQ(FileNames(folder).size(), 5u);
}

TEST_F(Dump, MigrationsAreEveryFileAppliedOrNot) {
  WriteText(dir_ + "/0001_a.sql", "-- pgstack:up\nCREATE TABLE first_t (id int);\n");
  WriteText(dir_ + "/0002_b.sql", "-- pgstack:up\nCREATE TABLE second_t (id int);\n");
  auto out = Pgstack({"dump"});
  ASSERT_EQ(out.exit_code, 0) << out.output;
  EXPECT_NE(out.output.find("CREATE TABLE public.first_t"), std::string::npos) << out.output;
  EXPECT_NE(out.output.find("CREATE TABLE public.second_t"), std::string::npos) << out.output;
}

TEST_F(Dump, BadDdlIsExit2AtItsFileAndLineAndLeavesNoScratchDatabase) {
  std::string bad = dir_ + "/bad.sql";
  WriteText(bad, "CREATE TABLE ok (id int);\n\nCREATE TABLE bad (id int,, x text);\n");
  int before = Databases();
  auto out = TestStack::Shared().Pgstack({"migrate", "dump", "--from", bad});
  EXPECT_EQ(out.exit_code, 2) << out.output;
  EXPECT_NE(out.output.find(bad + ":3:26"), std::string::npos) << out.output;
  EXPECT_EQ(Databases(), before);
  auto missing = TestStack::Shared().Pgstack({"migrate", "dump", "--from", dir_ + "/nope.sql"});
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_NE(missing.output.find("--from " + dir_ + "/nope.sql: no such file"), std::string::npos)
      << missing.output;
}

TEST_F(Dump, AKilledRunsScratchDatabaseIsDroppedByTheNextRun) {
  std::string slow = dir_ + "/slow.sql";
  WriteText(slow, "CREATE TABLE t (id int);\nSELECT pg_sleep(60);\n");
  int before = Databases();
  pid_t pid = TestStack::Shared().SpawnPgstack({"migrate", "dump", "--from", slow});
  ASSERT_TRUE(WaitFor("the scratch database", [&] { return Databases() == before + 1; }).ok());
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  EXPECT_EQ(Databases(), before + 1) << "nothing to clean up: the test proves nothing";
  std::string ok = dir_ + "/ok.sql";
  WriteText(ok, "CREATE TABLE t (id int);\n");
  auto out = TestStack::Shared().Pgstack({"migrate", "dump", "--from", ok});
  ASSERT_EQ(out.exit_code, 0) << out.output;
  EXPECT_EQ(Databases(), before);
}

}  // namespace
}  // namespace pgstack::testing
