// migrate lint --trace and migrate drift against a real PostgreSQL 17: each test gets a database
// of its own (created here, dropped after) as the "live" one, migrates it through the library,
// and checks what trace and drift see, that the scratch database is gone and that the live one
// is unchanged.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include "fixture.h"
#include "pgstack/migrate/drift.h"
#include "pgstack/migrate/runner.h"
#include "pgstack/migrate/source.h"
#include "pgstack/migrate/trace.h"

namespace pgstack::testing {
namespace {

class LiveDb : public ::testing::Test {
 protected:
  void SetUp() override {
    const TestStack& s = TestStack::Shared();
    db_ = std::string("it_lint_") + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : db_) c = static_cast<char>(std::tolower(c));
    auto su = s.Superuser();
    ASSERT_TRUE(su.ok()) << su.status().message();
    ASSERT_TRUE(su->Run("DROP DATABASE IF EXISTS " + db_ + " WITH (FORCE)").ok());
    ASSERT_TRUE(
        su->Run("CREATE DATABASE " + db_ + " OWNER " + su->QuoteIdent(s.endpoints().direct.user))
            .ok());
    // As pgstack up does in the application database: the configured extensions.
    pg::ConnParams p = s.endpoints().superuser;
    p.dbname = db_;
    auto in_db = pg::Connection::Open(p);
    ASSERT_TRUE(in_db.ok()) << in_db.status().message();
    for (const auto& e : s.env().postgres.extensions) {
      ASSERT_TRUE(in_db->Run("CREATE EXTENSION IF NOT EXISTS " + e).ok()) << e;
    }
    dir_ = TempDir("lint");
  }
  void TearDown() override {
    auto su = TestStack::Shared().Superuser();
    if (su.ok()) (void)su->Run("DROP DATABASE IF EXISTS " + db_ + " WITH (FORCE)");
  }

  migrate::Options Options() const {
    migrate::Options o;
    o.dir = dir_;
    o.conn = TestStack::Shared().endpoints().direct;
    o.conn.dbname = db_;
    return o;
  }
  migrate::ScratchOptions Where() const {
    const TestStack& s = TestStack::Shared();
    return {.superuser = s.endpoints().superuser,
            .target_db = db_,
            .extensions = s.env().postgres.extensions};
  }
  Result<pg::Connection> Live() const { return pg::Connection::Open(Options().conn); }
  std::string Scalar(const std::string& sql) {
    auto c = Live();
    EXPECT_TRUE(c.ok());
    if (!c.ok()) return "";
    auto r = c->Exec(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().message();
    return r.ok() ? r->scalar() : "";
  }
  void Sql(const std::string& sql) {
    auto c = Live();
    ASSERT_TRUE(c.ok());
    Status s = c->Run(sql);
    ASSERT_TRUE(s.ok()) << sql << ": " << s.message();
  }
  int Databases() {
    auto su = TestStack::Shared().Superuser();
    EXPECT_TRUE(su.ok());
    return su.ok() ? std::stoi(su->Exec("SELECT count(*) FROM pg_database")->scalar()) : -1;
  }
  void Up() {
    auto r = migrate::Up(Options());
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
  std::vector<migrate::Difference> DriftNow() {
    auto r = migrate::DriftOfDir(Options(), Where());
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? r->differences : std::vector<migrate::Difference>{};
  }
  static std::string Dump(const std::vector<migrate::Difference>& d) {
    return migrate::DriftJson(d).dump();
  }

  std::string db_;
  std::string dir_;
};

class Trace : public LiveDb {
 protected:
  // Applies 0001 (a table with rows), adds 0002 (a type change) pending; returns the trace.
  Result<migrate::TraceReport> TraceWiden() {
    WriteText(
        dir_ + "/0001_readings.sql",
        "-- pgstack:up\nCREATE TABLE readings (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY "
        "KEY, value int NOT NULL);\nINSERT INTO readings (value) SELECT g FROM "
        "generate_series(1, 5000) g;\n");
    Up();
    WriteText(dir_ + "/0002_widen.sql",
              "-- pgstack:up\nALTER TABLE readings ADD COLUMN note text;\n\nALTER TABLE readings "
              "ALTER COLUMN value TYPE bigint;\n");
    auto rep = migrate::Inspect(Options());
    if (!rep.ok()) return rep.status();
    std::vector<const migrate::Migration*> applied, pending;
    for (const auto& a : (*rep)->plan.applied) applied.push_back(a.migration);
    for (const auto& p : (*rep)->plan.pending) pending.push_back(p.migration);
    return migrate::Trace(Where(), applied, pending);
  }
  void ExpectRewriteSeen(const migrate::TraceReport& t) {
    ASSERT_EQ(t.steps.size(), 2u);
    const migrate::TraceStep& add = t.steps[0];
    const migrate::TraceStep& widen = t.steps[1];
    EXPECT_EQ(widen.version, "2");
    EXPECT_EQ(widen.line, 4);
    EXPECT_TRUE(add.rewritten.empty()) << "ADD COLUMN without default rewrote";
    EXPECT_EQ(widen.rewritten, std::vector<std::string>{"readings"});
    bool exclusive = false;
    for (const auto& l : widen.locks) {
      exclusive = exclusive || (l.relation == "readings" && l.mode == "AccessExclusiveLock");
    }
    EXPECT_TRUE(exclusive) << migrate::TraceJson(t).dump();
  }
};

TEST_F(Trace, SeesTheRewriteAndTheLockInACloneAndLeavesTheTargetAlone) {
  int dbs = Databases();
  auto t = TraceWiden();
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->clone, "template");
  ExpectRewriteSeen(*t);
  EXPECT_EQ(Databases(), dbs) << "the scratch database was left behind";
  EXPECT_EQ(Scalar("SELECT data_type FROM information_schema.columns WHERE table_name = "
                   "'readings' AND column_name = 'value'"),
            "integer");
  EXPECT_EQ(Scalar("SELECT count(*) FROM pgstack.schema_history"), "1");

  // The static rule flagged the type change, so trace adds nothing for it.
  migrate::LintReport static_only;
  static_only.findings.push_back({.rule = "changing-column-type",
                                  .severity = migrate::Severity::kWarning,
                                  .file = t->steps[1].file,
                                  .line = 4});
  migrate::AddTraceFindings(*t, static_only);
  EXPECT_EQ(static_only.findings.size(), 1u);
  // Without it, the rewrite becomes a finding of its own.
  migrate::LintReport none;
  migrate::AddTraceFindings(*t, none);
  ASSERT_EQ(none.findings.size(), 1u);
  EXPECT_EQ(none.findings[0].rule, "trace-table-rewrite");
  EXPECT_EQ(none.findings[0].line, 4);
}

TEST_F(Trace, ATargetInUseIsClonedByReplayingItsMigrations) {
  auto busy = Live();  // a session on the target: CREATE DATABASE ... TEMPLATE refuses
  ASSERT_TRUE(busy.ok());
  int dbs = Databases();
  auto t = TraceWiden();
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->clone, "replayed");
  ExpectRewriteSeen(*t);
  EXPECT_EQ(Databases(), dbs);
}

TEST_F(Trace, AFailingStatementNamesItsLineAndStillDropsTheClone) {
  WriteText(dir_ + "/0001_bad.sql",
            "-- pgstack:up\nCREATE TABLE t (id bigint);\nALTER TABLE nope ADD COLUMN c text;\n");
  int dbs = Databases();
  auto rep = migrate::Inspect(Options());
  ASSERT_TRUE(rep.ok());
  auto t = migrate::Trace(Where(), {}, {(*rep)->plan.pending[0].migration});
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("0001_bad.sql:3:1"), std::string::npos)
      << t.status().message();
  EXPECT_EQ(Databases(), dbs);
  EXPECT_EQ(Scalar("SELECT to_regclass('public.t') IS NULL"), "t");
}

// A template in use holds CREATE DATABASE for 5 s before trace replays instead: Ctrl-C there
// cancels it and ends the run at once, with no scratch database left.
TEST(TraceCli, SigintCancelsACloneThatWaitsForItsTemplate) {
  std::string dir = TempDir("lint_sigint");
  WriteText(dir + "/0001_t.sql", "-- pgstack:up\nCREATE TABLE lint_sigint_t (id int);\n");
  auto busy = TestStack::Shared().Direct();  // a session on the target: the clone waits
  ASSERT_TRUE(busy.ok()) << busy.status().message();
  auto su = TestStack::Shared().Superuser();
  ASSERT_TRUE(su.ok()) << su.status().message();
  auto count = [&](const std::string& sql) { return su->Exec(sql)->scalar(); };
  std::string dbs = count("SELECT count(*) FROM pg_database");
  std::string log = dir + "/../lint_sigint.log";
  pid_t pid = TestStack::Shared().SpawnPgstack({"migrate", "lint", "--trace", "--dir", dir}, log);
  ASSERT_TRUE(WaitFor("the clone to wait for its template", [&] {
                return count(
                           "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'CREATE "
                           "DATABASE %' AND position('pgstack_scratch' in query) > 0 AND "
                           "state = 'active'") == "1";
              }).ok());
  kill(pid, SIGINT);
  // Not cancelled, the clone would wait out its 5 s, then replay.
  EXPECT_EQ(Reap(pid, std::chrono::seconds(3)), 130) << ReadText(log);
  EXPECT_EQ(count("SELECT count(*) FROM pg_database"), dbs) << "a scratch database stayed";
}

class Drift : public LiveDb {
 protected:
  void SetUp() override {
    LiveDb::SetUp();
    WriteText(dir_ + "/0001_base.sql", R"sql(-- pgstack:up
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE SEQUENCE tickets START 100;
CREATE TABLE items (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL,
  qty int NOT NULL DEFAULT 0, weight int, feel mood, CONSTRAINT items_qty_positive CHECK (qty >= 0));
CREATE INDEX items_name_idx ON items (name);
CREATE VIEW big_items AS SELECT id, name FROM items WHERE qty > 10;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER items_touch BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION touch();
)sql");
    Up();
  }
};

TEST_F(Drift, NoneRightAfterUp) {
  int dbs = Databases();
  auto d = DriftNow();
  EXPECT_TRUE(d.empty()) << Dump(d);
  EXPECT_EQ(Databases(), dbs);
}

TEST_F(Drift, EachKindOfHandChangeIsReportedAndNoneOncePutBack) {
  struct Case {
    std::string change, undo, kind, object, what;
  };
  const Case cases[] = {
      {"CREATE TABLE stray (id bigint)", "DROP TABLE stray", "table", "public.stray", "extra"},
      {"ALTER TABLE items ADD COLUMN extra text", "ALTER TABLE items DROP COLUMN extra", "column",
       "public.items.extra", "extra"},
      {"ALTER TABLE items ALTER COLUMN qty SET DEFAULT 1",
       "ALTER TABLE items ALTER COLUMN qty SET DEFAULT 0", "column", "public.items.qty", "changed"},
      {"ALTER TABLE items ALTER COLUMN name DROP NOT NULL",
       "ALTER TABLE items ALTER COLUMN name SET NOT NULL", "column", "public.items.name",
       "changed"},
      {"ALTER TABLE items ALTER COLUMN weight TYPE bigint",
       "ALTER TABLE items ALTER COLUMN weight TYPE int", "column", "public.items.weight",
       "changed"},
      {"ALTER TABLE items DROP CONSTRAINT items_qty_positive",
       "ALTER TABLE items ADD CONSTRAINT items_qty_positive CHECK (qty >= 0)", "constraint",
       "public.items.items_qty_positive", "missing"},
      {"CREATE INDEX items_qty_idx ON items (qty)", "DROP INDEX items_qty_idx", "index",
       "public.items_qty_idx", "extra"},
      {"DROP INDEX items_name_idx; CREATE INDEX items_name_idx ON items (lower(name))",
       "DROP INDEX items_name_idx; CREATE INDEX items_name_idx ON items (name)", "index",
       "public.items_name_idx", "changed"},
      {"CREATE OR REPLACE VIEW big_items AS SELECT id, name FROM items WHERE qty > 20",
       "CREATE OR REPLACE VIEW big_items AS SELECT id, name FROM items WHERE qty > 10", "view",
       "public.big_items", "changed"},
      {"CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN "
       "NEW.qty := 1; RETURN NEW; END$$",
       "CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN "
       "NEW; END$$",
       "function", "public.touch()", "changed"},
      {"DROP TRIGGER items_touch ON items",
       "CREATE TRIGGER items_touch BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION touch()",
       "trigger", "public.items.items_touch", "missing"},
      {"ALTER SEQUENCE tickets INCREMENT 5", "ALTER SEQUENCE tickets INCREMENT 1", "sequence",
       "public.tickets", "changed"},
      {"CREATE EXTENSION IF NOT EXISTS pg_trgm", "DROP EXTENSION pg_trgm", "extension", "pg_trgm",
       "extra"},
      {"ALTER TYPE mood ADD VALUE 'happy'",
       "ALTER TABLE items DROP COLUMN feel; DROP TYPE mood; CREATE TYPE mood AS ENUM ('sad', "
       "'ok'); ALTER TABLE items ADD COLUMN feel mood",
       "enum", "public.mood", "changed"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.change);
    pg::ConnParams p = TestStack::Shared().endpoints().superuser;
    p.dbname = db_;
    auto conn = pg::Connection::Open(p);  // as the superuser: extensions need it
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE(conn->Run(c.change).ok()) << c.change;
    auto d = DriftNow();
    bool found = false;
    for (const auto& x : d) {
      found = found || (x.kind == c.kind && x.object == c.object && x.change == c.what);
    }
    EXPECT_TRUE(found) << "want " << c.what << " " << c.kind << " " << c.object << " in "
                       << Dump(d);
    ASSERT_TRUE(conn->Run(c.undo).ok()) << c.undo;
  }
  // The enum's undo recreated the column at the end: the live column order differs, which
  // drift does not compare; everything else is back.
  auto d = DriftNow();
  EXPECT_TRUE(d.empty()) << Dump(d);
}

TEST_F(Drift, PgstacksOwnSchemaAndConfiguredExtensionsAreNotDrift) {
  // The live database has schema pgstack (the history) and the configured extensions; the
  // expected one is built with the same extensions and no history.
  EXPECT_EQ(Scalar("SELECT count(*) > 0 FROM pgstack.schema_history"), "t");
  Sql("CREATE EXTENSION IF NOT EXISTS btree_gin");
  auto d = DriftNow();
  bool extension_diff = false;
  for (const auto& x : d) extension_diff = extension_diff || x.object == "btree_gin";
  bool configured = false;
  for (const auto& e : TestStack::Shared().env().postgres.extensions)
    configured |= e == "btree_gin";
  EXPECT_EQ(extension_diff, !configured) << Dump(d);
}

}  // namespace
}  // namespace pgstack::testing
