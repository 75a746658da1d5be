// migrate diff: plans that arrive for every kind of object, added, dropped and changed, in both
// directions; the online-safe forms on tables that exist, in order; hazards refused until
// allowed; renames; --write in each format with a down that returns exactly; --apply refusing a
// schema changed since planning; sources only read; a killed diff cleaned up by the next.
#include "pgstack/migrate/diff.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include "pgstack/migrate/diff_write.h"
#include "pgstack/migrate/runner.h"
#include "schema_fixture.h"

namespace pgstack::testing {
namespace {

const std::string kEveryKind = SourceDir() + "/tests/integration/schema/every_kind.sql";
const std::string kChanged = SourceDir() + "/tests/integration/schema/every_kind_changed.sql";

class Diff : public SchemaTest {
 protected:
  migrate::SchemaSource File(const std::string& path) const {
    return {migrate::SchemaSource::Kind::kSqlFile, path};
  }
  migrate::DiffRequest Request(const migrate::SchemaSource& to) const {
    return {.from = UrlSource(), .to = to, .source = Sources(), .renames = {}, .using_exprs = {}};
  }
  // Plans from the database to `to`, runs the plan on the database itself, and diffs again:
  // nothing may be left. Returns the plan's text.
  std::string Arrive(const migrate::SchemaSource& to) {
    auto d = migrate::PlanDiff(Request(to));
    EXPECT_TRUE(d.ok()) << d.status().message();
    if (!d.ok()) return "";
    auto c = Db();
    EXPECT_TRUE(c.ok());
    if (!c.ok()) return "";
    migrate::PlanTimeouts t;
    Status run = migrate::RunPlan(*c, d->plan, &t);
    EXPECT_TRUE(run.ok()) << run.message();
    auto again = migrate::PlanDiff(Request(to));
    EXPECT_TRUE(again.ok()) << again.status().message();
    if (again.ok()) {
      EXPECT_TRUE(again->plan.empty()) << migrate::PlanScript(again->plan, {});
    }
    return migrate::PlanScript(d->plan, {});
  }
  // Arrive at the schema that `sql` makes, written as a .sql file of the test's folder.
  std::string ArriveAt(const std::string& sql) {
    std::string path = dir_ + "/to.sql";
    WriteText(path, sql);
    return Arrive(File(path));
  }
  std::string Empty() {
    std::string path = dir_ + "/empty.sql";
    WriteText(path, "-- nothing\n");
    return path;
  }
};

size_t At(const std::string& text, const std::string& what) {
  size_t at = text.find(what);
  EXPECT_NE(at, std::string::npos) << "no '" << what << "' in:\n" << text;
  return at;
}

TEST_F(Diff, EveryKindIsAddedThenChangedBothWaysThenDropped) {
  Arrive(File(kEveryKind));
  Arrive(File(kChanged));
  Arrive(File(kEveryKind));
  std::string dropped = Arrive(File(Empty()));
  EXPECT_NE(dropped.find("DROP SCHEMA app;"), std::string::npos) << dropped;
}

TEST_F(Diff, TablesThatExistChangeOnline) {
  Load(kEveryKind);
  std::string plan = Arrive(File(kChanged));
  // Indexes: concurrently, alone; a changed one renamed aside, built, then dropped.
  size_t aside = At(plan, "ALTER INDEX app.orders_open RENAME TO \"orders_open_pgstack_old\";");
  size_t built = At(plan, "CREATE INDEX CONCURRENTLY orders_open ON app.orders");
  size_t gone = At(plan, "DROP INDEX CONCURRENTLY app.\"orders_open_pgstack_old\";");
  EXPECT_LT(aside, built);
  EXPECT_LT(built, gone);
  At(plan, "CREATE INDEX CONCURRENTLY orders_total ON app.orders");
  // A partitioned table: ON ONLY the parent, each partition concurrently, then attached.
  size_t only = At(plan, "CREATE INDEX events_kind ON ONLY app.events");
  size_t part =
      At(plan, "CREATE INDEX CONCURRENTLY \"events_kind_events_2024\" ON app.events_2024");
  size_t attach =
      At(plan, "ALTER INDEX app.events_kind ATTACH PARTITION app.\"events_kind_events_2024\";");
  EXPECT_LT(only, part);
  EXPECT_LT(part, attach);
  // The foreign key: NOT VALID, then validated in a later transaction.
  size_t fk = At(plan,
                 "ADD CONSTRAINT orders_account_id_fkey FOREIGN KEY (account_id) REFERENCES "
                 "app.accounts(id) NOT VALID;");
  size_t valid = At(plan, "VALIDATE CONSTRAINT orders_account_id_fkey;");
  EXPECT_NE(plan.substr(fk, valid - fk).find("COMMIT;"), std::string::npos);
  // SET NOT NULL through a validated CHECK, dropped after.
  size_t check =
      At(plan, "ADD CONSTRAINT \"account_id_not_null\" CHECK (account_id IS NOT NULL) NOT VALID;");
  size_t checked = At(plan, "VALIDATE CONSTRAINT \"account_id_not_null\";");
  size_t set = At(plan, "ALTER COLUMN account_id SET NOT NULL;");
  size_t dropped = At(plan, "DROP CONSTRAINT \"account_id_not_null\";");
  EXPECT_LT(check, checked);
  EXPECT_LT(checked, set);
  EXPECT_LT(set, dropped);
  // The enum value is committed before the index and view that use it.
  size_t value = At(plan, "ALTER TYPE app.order_status ADD VALUE 'refunded' AFTER 'paid';");
  EXPECT_LT(value, built);
  // No CONCURRENTLY inside a transaction block.
  for (size_t b = plan.find("BEGIN;"); b != std::string::npos; b = plan.find("BEGIN;", b + 1)) {
    std::string block = plan.substr(b, plan.find("COMMIT;", b) - b);
    EXPECT_EQ(block.find("CONCURRENTLY"), std::string::npos) << block;
  }
}

TEST_F(Diff, UniqueAndPrimaryKeysAreAddedOnAnIndexBuiltConcurrently) {
  Sql("CREATE TABLE t (id bigint NOT NULL, code text); CREATE TABLE u (id int)");
  std::string plan = ArriveAt(
      "CREATE TABLE t (id bigint PRIMARY KEY, code text UNIQUE);\n"
      "CREATE TABLE u (id int);\nCREATE INDEX u_id ON u (id);\n");
  size_t build = At(plan, "CREATE UNIQUE INDEX CONCURRENTLY t_pkey ON public.t (id);");
  size_t add =
      At(plan, "ALTER TABLE public.t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_pkey;");
  EXPECT_LT(build, add);
  At(plan, "ADD CONSTRAINT t_code_key UNIQUE USING INDEX t_code_key;");
}

TEST_F(Diff, AnEnumLosingAValueIsRecreatedWithItsColumnsAndViews) {
  Sql("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy'); CREATE TABLE p (m mood DEFAULT 'ok', "
      "ms mood[]); CREATE VIEW happy AS SELECT m FROM p WHERE m = 'happy'");
  std::string plan = ArriveAt(
      "CREATE TYPE mood AS ENUM ('ok', 'happy');\nCREATE TABLE p (m mood DEFAULT "
      "'ok', ms mood[]);\nCREATE VIEW happy AS SELECT m FROM p WHERE m = 'happy';\n");
  At(plan, "-- hazard rewrites_table:");
  At(plan, "ALTER TABLE public.p ALTER COLUMN m TYPE public.mood USING m::text::public.mood;");
}

// A function whose return type changes is dropped and created again; the server refuses the
// drop while a column calls it. In the same transaction a default goes first and comes back after,
// and a generated column's expression is set aside and back, computed again with the new function;
// a table that the plan drops keeps none.
TEST_F(Diff, AFunctionRecreatedUnderColumnsThatCallItTakesThemAlong) {
  Sql("CREATE FUNCTION code(n int) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'c' || n $$; "
      "CREATE TABLE items (id int, code text DEFAULT public.code(1), note text DEFAULT 'x'); "
      "CREATE TABLE gen (id int, g text GENERATED ALWAYS AS (public.code(id)) STORED); "
      "INSERT INTO gen (id) VALUES (7); "
      "CREATE TABLE gone (c text DEFAULT public.code(2))");
  std::string plan = ArriveAt(
      "CREATE FUNCTION code(n int) RETURNS varchar LANGUAGE sql IMMUTABLE AS $$ SELECT 'v' "
      "|| n $$;\n"
      "CREATE TABLE items (id int, code text DEFAULT public.code(1), note text DEFAULT "
      "'x');\n"
      "CREATE TABLE gen (id int, g text GENERATED ALWAYS AS (public.code(id)) STORED);\n");
  size_t dropped = At(plan, "ALTER TABLE public.items ALTER COLUMN code DROP DEFAULT;");
  At(plan, "ALTER TABLE public.gone ALTER COLUMN c DROP DEFAULT;");
  size_t aside = At(plan, "ALTER TABLE public.gen ALTER COLUMN g SET EXPRESSION AS (NULL::text);");
  size_t recreated = At(plan, "DROP FUNCTION public.code(n integer);");
  size_t restored =
      At(plan, "ALTER TABLE public.items ALTER COLUMN code SET DEFAULT public.code(1);");
  size_t computed =
      At(plan, "ALTER TABLE public.gen ALTER COLUMN g SET EXPRESSION AS (public.code(id));");
  EXPECT_LT(std::max(dropped, aside), recreated);
  EXPECT_LT(recreated, std::min(restored, computed));
  EXPECT_EQ(plan.find("COMMIT", dropped), plan.find("COMMIT", computed)) << plan;
  At(plan, "-- hazard rewrites_table: the generated column is computed again for every row");
  EXPECT_EQ(plan.find("ALTER COLUMN note"), std::string::npos) << plan;
  Sql("INSERT INTO items (id) VALUES (1)");
  EXPECT_EQ(Value("SELECT (SELECT code FROM items) || ' ' || (SELECT g FROM gen)"), "v1 v7");
}

// A domain in use whose base type changes cannot be dropped: a new one is made under its name,
// every column (arrays too) moved to it through the new base type, the old one dropped; views
// over the columns come back after, and so does the domain's comment. Its rows keep their values.
TEST_F(Diff, ADomainInUseThatChangesItsBaseTypeIsRecreatedUnderItsColumns) {
  Sql("CREATE DOMAIN qty AS integer CHECK (VALUE >= 0); COMMENT ON DOMAIN qty IS 'a count'; "
      "CREATE TABLE stock (id int, q qty DEFAULT 0, qs qty[]); "
      "CREATE VIEW big AS SELECT id, q FROM stock WHERE q > 10; "
      "INSERT INTO stock VALUES (1, 12, '{3,4}')");
  std::string plan = ArriveAt(
      "CREATE DOMAIN qty AS bigint CHECK (VALUE >= 0);\nCOMMENT ON DOMAIN qty IS 'a "
      "count';\nCREATE TABLE stock (id int, q qty DEFAULT 0, qs qty[]);\n"
      "CREATE VIEW big AS SELECT id, q FROM stock WHERE q > 10;\n");
  size_t view = At(plan, "DROP VIEW public.big;");
  size_t aside = At(plan, "ALTER DOMAIN public.qty RENAME TO \"qty_pgstack_old\";");
  At(plan, "-- hazard rewrites_table: its base type changes");
  At(plan, "ALTER TABLE public.stock ALTER COLUMN q TYPE public.qty USING q::bigint::public.qty;");
  At(plan, "USING qs::bigint[]::public.qty[];");
  size_t dropped = At(plan, "DROP DOMAIN public.\"qty_pgstack_old\";");
  EXPECT_LT(view, aside);
  EXPECT_LT(aside, dropped);
  EXPECT_EQ(
      Value("SELECT format('%s %s %s %s', q, qs, pg_typeof(q), (SELECT count(*) FROM big)) FROM "
            "stock"),
      "12 {3,4} qty 1");
}

// ALTER TYPE ... ALTER ATTRIBUTE is refused while a column uses the type: a composite whose
// attribute changes type is recreated under its columns instead, through text, and its values
// come across.
TEST_F(Diff, ACompositeInUseWhoseAttributeChangesTypeIsRecreatedUnderItsColumns) {
  Sql("CREATE TYPE money2 AS (amount integer, cur text); "
      "CREATE TABLE price (id int, p money2, ps money2[]); "
      "CREATE VIEW pv AS SELECT id, (p).amount FROM price; "
      "INSERT INTO price VALUES (1, (5, 'eur'), ARRAY[(6, 'usd')::money2])");
  std::string plan = ArriveAt(
      "CREATE TYPE money2 AS (amount numeric, cur text);\n"
      "CREATE TABLE price (id int, p money2, ps money2[]);\n"
      "CREATE VIEW pv AS SELECT id, (p).amount FROM price;\n");
  At(plan, "ALTER TYPE public.money2 RENAME TO \"money2_pgstack_old\";");
  At(plan,
     "ALTER TABLE public.price ALTER COLUMN p TYPE public.money2 USING p::text::public.money2;");
  At(plan,
     "-- hazard depends_on_data: fails if an attribute's value does not cast to its new type");
  EXPECT_EQ(plan.find("ALTER ATTRIBUTE"), std::string::npos) << plan;
  EXPECT_EQ(Value("SELECT format('%s %s %s', p, ps, pg_typeof((p).amount)) FROM price"),
            "(5,eur) {\"(6,usd)\"} numeric");
}

TEST_F(Diff, AColumnWithoutACastIsDroppedAndAddedUnlessUsingSaysHow) {
  Sql("CREATE TABLE d (id int, tags jsonb, n text)");
  std::string to = dir_ + "/to.sql";
  WriteText(to, "CREATE TABLE d (id int, tags text[], n integer);\n");
  auto d = migrate::PlanDiff(Request(File(to)));
  ASSERT_TRUE(d.ok()) << d.status().message();
  std::string plan = migrate::PlanScript(d->plan, {});
  At(plan, "ALTER TABLE public.d DROP COLUMN tags;");
  At(plan, "-- hazard deletes_data: no cast from jsonb to text[]");
  At(plan, "ALTER COLUMN n TYPE integer USING n::integer;");
  auto r = Request(File(to));
  r.using_exprs["d.tags"] = "translate(tags::text, '[]', '{}')::text[]";
  auto kept = migrate::PlanDiff(r);
  ASSERT_TRUE(kept.ok()) << kept.status().message();
  std::string with = migrate::PlanScript(kept->plan, {});
  At(with, "ALTER COLUMN tags TYPE text[] USING translate(tags::text, '[]', '{}')::text[];");
  EXPECT_EQ(with.find("DROP COLUMN"), std::string::npos) << with;
}

TEST_F(Diff, RefusedHazardsExit3WithThePlanUntilAllowed) {
  Sql("CREATE TABLE keep (id int); CREATE TABLE old_name (id int, body text)");
  std::string to = dir_ + "/to.sql";
  WriteText(to, "CREATE TABLE keep (id int);\nCREATE TABLE new_name (id int, body text);\n");
  auto refused = TestStack::Shared().Pgstack(
      {"--json", "migrate", "--dir", dir_, "diff", "--from", Url(), "--to", to}, {},
      Capture::kStdoutOnly);
  ASSERT_EQ(refused.exit_code, 3) << refused.output;
  auto doc = nlohmann::json::parse(refused.output);
  EXPECT_TRUE(doc["refused"].get<bool>());
  ASSERT_FALSE(doc["hazards"].empty());
  std::string message = doc["hazards"][0]["message"];
  EXPECT_NE(message.find("likely a rename to public.new_name: --rename table:public.old_name"),
            std::string::npos)
      << message;
  auto allowed = Pgstack({"diff", "--from", Url(), "--to", to, "--allow-hazards", "DELETES_DATA"});
  EXPECT_EQ(allowed.exit_code, 0) << allowed.output;
  auto unknown = Pgstack({"diff", "--from", Url(), "--to", to, "--allow-hazards", "drops"});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.output;
  // With the rename, the table keeps its rows: no hazard but the rename's, refused until allowed.
  Sql("INSERT INTO old_name VALUES (1, 'kept')");
  auto renamed =
      Pgstack({"diff", "--from", Url(), "--to", to, "--rename", "table:public.old_name=new_name",
               "--allow-hazards", "breaks_running_code"});
  ASSERT_EQ(renamed.exit_code, 0) << renamed.output;
  At(renamed.output, "ALTER TABLE public.old_name RENAME TO new_name;");
  EXPECT_EQ(renamed.output.find("DROP TABLE"), std::string::npos) << renamed.output;
}

TEST_F(Diff, ApplyRunsThePlanAndRefusesASchemaChangedSincePlanning) {
  Sql("CREATE TABLE a (id int)");
  std::string to = dir_ + "/to.sql";
  WriteText(to, "CREATE TABLE a (id int, note text);\nCREATE INDEX a_id ON a (id);\n");
  auto d = migrate::PlanDiff(Request(File(to)));
  ASSERT_TRUE(d.ok()) << d.status().message();
  Sql("ALTER TABLE a ADD COLUMN sneaked int");
  Status refused = migrate::ApplyDiff(Request(File(to)), *d, {});
  EXPECT_EQ(refused.code(), Code::kCheckFailed) << refused.message();
  EXPECT_NE(refused.message().find("changed since it was planned"), std::string::npos);
  Sql("ALTER TABLE a DROP COLUMN sneaked");
  auto applied = Pgstack({"diff", "--from", Url(), "--to", to, "--apply"});
  ASSERT_EQ(applied.exit_code, 0) << applied.output;
  auto again = migrate::PlanDiff(Request(File(to)));
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_TRUE(again->plan.empty()) << migrate::PlanScript(again->plan, {});
}

TEST_F(Diff, SourcesAreOnlyReadAndNoScratchDatabaseStays) {
  Load(kEveryKind);
  std::string before = DumpOf(UrlSource());
  int databases = Databases();
  auto out = Pgstack({"diff", "--from", Url(), "--to", kChanged, "--allow-hazards", "all"});
  ASSERT_EQ(out.exit_code, 0) << out.output;
  EXPECT_EQ(DumpOf(UrlSource()), before);
  EXPECT_EQ(Databases(), databases);
  auto same = Pgstack({"diff", "--from", Url(), "--to", Url()});
  EXPECT_EQ(same.exit_code, 0) << same.output;
  EXPECT_EQ(same.output, "");
}

// A domain that a column uses changes in place: dropping it would need the column gone first.
TEST_F(Diff, ADomainInUseChangesInPlaceAndARuleItChecksIsRefusedUntilAllowed) {
  Sql("CREATE DOMAIN pos AS int CONSTRAINT pos_check CHECK (VALUE > 0);\n"
      "CREATE TABLE t (id int, n pos); INSERT INTO t VALUES (1, 5)");
  std::string to = dir_ + "/to.sql";
  WriteText(
      to,
      "CREATE DOMAIN pos AS int DEFAULT 1 NOT NULL CONSTRAINT pos_small CHECK (VALUE < 100);\n"
      "CREATE TABLE t (id int, n pos);\n");
  auto refused = Pgstack({"diff", "--from", Url(), "--to", to});
  EXPECT_EQ(refused.exit_code, 3) << refused.output;
  At(refused.output, "-- hazard blocks_writes:");
  std::string plan = Arrive(File(to));
  EXPECT_LT(At(plan, "ALTER DOMAIN public.pos DROP CONSTRAINT pos_check;"),
            At(plan, "ALTER DOMAIN public.pos ADD CONSTRAINT pos_small CHECK ((VALUE < 100));"));
  At(plan, "ALTER DOMAIN public.pos SET DEFAULT 1;");
  At(plan, "ALTER DOMAIN public.pos SET NOT NULL;");
  EXPECT_EQ(plan.find("DROP DOMAIN"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("ALTER TABLE"), std::string::npos) << plan;
  // And back: the rules loosen, which needs no scan and no hazard.
  std::string back = dir_ + "/back.sql";
  WriteText(back,
            "CREATE DOMAIN pos AS int CONSTRAINT pos_check CHECK (VALUE > 0);\n"
            "CREATE TABLE t (id int, n pos);\n");
  auto loosened = Pgstack({"diff", "--from", Url(), "--to", back});
  ASSERT_EQ(loosened.exit_code, 3) << loosened.output;  // pos_check is a new rule again
  std::string returned = Arrive(File(back));
  At(returned, "ALTER DOMAIN public.pos DROP NOT NULL;");
  At(returned, "ALTER DOMAIN public.pos DROP DEFAULT;");
}

// Owners are the cluster's roles: two of them, made once on the shared server.
void MakeOwnerRoles() {
  auto su = TestStack::Shared().Superuser();
  ASSERT_TRUE(su.ok()) << su.status().message();
  for (const char* role : {"pgstack_owner_a", "pgstack_owner_b"}) {
    Status made = su->Run(fmt::format(
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{0}') THEN CREATE ROLE "
        "{0}; END IF; END $$",
        role));
    ASSERT_TRUE(made.ok()) << made.message();
  }
}

TEST_F(Diff, OwnersAreComparedOnlyWithOwnersAndAChangeIsAnAuthzUpdate) {
  MakeOwnerRoles();
  const std::string objects =
      "CREATE SCHEMA s; CREATE TABLE s.t (id int GENERATED ALWAYS AS IDENTITY, n serial);\n"
      "CREATE VIEW s.v AS SELECT id FROM s.t;\n"
      "CREATE MATERIALIZED VIEW s.m AS SELECT id FROM s.t;\n"
      "CREATE SEQUENCE s.q; CREATE TYPE s.e AS ENUM ('x'); CREATE DOMAIN s.d AS int;\n"
      "CREATE FUNCTION s.f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
      "CREATE PROCEDURE s.p() LANGUAGE sql AS 'SELECT 1';\n"
      "CREATE TABLE s.parted (id int) PARTITION BY RANGE (id);\n"
      "CREATE TABLE s.part1 PARTITION OF s.parted FOR VALUES FROM (0) TO (10);\n";
  auto owned = [](const std::string& role) {
    std::string out;
    for (const char* o :
         {"SCHEMA s", "TABLE s.t", "VIEW s.v", "MATERIALIZED VIEW s.m", "SEQUENCE s.q", "TYPE s.e",
          "DOMAIN s.d", "FUNCTION s.f()", "PROCEDURE s.p()", "TABLE s.parted", "TABLE s.part1"}) {
      out += fmt::format("ALTER {} OWNER TO {};\n", o, role);
    }
    return out;
  };
  Sql(objects + owned("pgstack_owner_a"));
  std::string to = dir_ + "/to.sql";
  WriteText(to,
            objects + owned("pgstack_owner_b") +
                "CREATE TABLE s.fresh (id int);\nALTER TABLE s.fresh OWNER TO pgstack_owner_a;\n");
  // Without --owners, only the new table.
  auto plain = Pgstack({"diff", "--from", Url(), "--to", to});
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  At(plain.output, "CREATE TABLE s.fresh");
  EXPECT_EQ(plain.output.find("OWNER TO"), std::string::npos) << plain.output;
  auto refused = Pgstack({"diff", "--from", Url(), "--to", to, "--owners"});
  EXPECT_EQ(refused.exit_code, 3) << refused.output;
  At(refused.output, "-- hazard authz_update: the owner changes: ALTER TABLE s.t OWNER TO");
  auto allowed =
      Pgstack({"diff", "--from", Url(), "--to", to, "--owners", "--allow-hazards", "authz_update"});
  ASSERT_EQ(allowed.exit_code, 0) << allowed.output;
  for (const char* o :
       {"SCHEMA s", "TABLE s.t", "VIEW s.v", "MATERIALIZED VIEW s.m", "SEQUENCE s.q", "TYPE s.e",
        "DOMAIN s.d", "FUNCTION s.f()", "PROCEDURE s.p()", "TABLE s.parted", "TABLE s.part1"}) {
    At(allowed.output, fmt::format("ALTER {} OWNER TO pgstack_owner_b;", o));
  }
  // The new table's owner comes after the table; the sequences of its columns follow it.
  EXPECT_LT(At(allowed.output, "CREATE TABLE s.fresh"),
            At(allowed.output, "ALTER TABLE s.fresh OWNER TO pgstack_owner_a;"));
  EXPECT_EQ(allowed.output.find("SEQUENCE s.t_"), std::string::npos) << allowed.output;
  // Run, it arrives: nothing left to do, owners compared.
  migrate::DiffRequest r = Request(File(to));
  r.source.filter.owners = true;
  auto d = migrate::PlanDiff(r);
  ASSERT_TRUE(d.ok()) << d.status().message();
  auto c = Db();
  ASSERT_TRUE(c.ok());
  migrate::PlanTimeouts t;
  ASSERT_TRUE(migrate::RunPlan(*c, d->plan, &t).ok());
  auto again = migrate::PlanDiff(r);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_TRUE(again->plan.empty()) << migrate::PlanScript(again->plan, {});
  // dump --owners reads back with no difference in owners.
  std::string dumped = dir_ + "/dumped.sql";
  auto dump = Pgstack({"dump", "--from", Url(), "--owners", "--out", dumped});
  ASSERT_EQ(dump.exit_code, 0) << dump.output;
  At(ReadText(dumped), "ALTER TABLE s.fresh OWNER TO pgstack_owner_a;");
  auto back = Pgstack({"diff", "--from", Url(), "--to", dumped, "--owners"});
  EXPECT_EQ(back.exit_code, 0) << back.output;
  EXPECT_EQ(back.output, "");
}

TEST_F(Diff, BadSchemaIsExit2AtItsFileAndLine) {
  std::string bad = dir_ + "/bad.sql";
  WriteText(bad, "CREATE TABLE ok (id int);\n\nCREATE TABLE bad (id int,, x text);\n");
  int databases = Databases();
  auto out =
      TestStack::Shared().Pgstack({"migrate", "--dir", dir_, "diff", "--from", Url(), "--to", bad});
  EXPECT_EQ(out.exit_code, 2) << out.output;
  EXPECT_NE(out.output.find(bad + ":3:"), std::string::npos) << out.output;
  EXPECT_EQ(Databases(), databases);
  auto rename = Pgstack({"diff", "--from", Url(), "--to", Empty(), "--rename", "table:nope"});
  EXPECT_EQ(rename.exit_code, 2) << rename.output;
}

TEST_F(Diff, AKilledDiffLeavesNothingTheNextRunDoesNotRemove) {
  std::string slow = dir_ + "/slow.sql";
  WriteText(slow, "CREATE TABLE t (id int);\nSELECT pg_sleep(60);\n");
  int before = Databases();
  pid_t pid = TestStack::Shared().SpawnPgstack(
      {"migrate", "--dir", dir_, "diff", "--from", Url(), "--to", slow});
  // The proof's scratch database and the one --to is loaded into (both at once), once --to's
  // is loading: the pg_sleep of slow.sql.
  ASSERT_TRUE(WaitFor("the scratch databases", [&] { return Databases() == before + 2; }).ok());
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  EXPECT_EQ(Databases(), before + 2) << "nothing to clean up: the test proves nothing";
  auto out = Pgstack({"diff", "--from", Url(), "--to", Empty()});
  ASSERT_EQ(out.exit_code, 0) << out.output;
  EXPECT_EQ(Databases(), before);
}

// Ctrl-C and SIGTERM stop a diff at once, even in a statement of a source that would run for a
// minute: that statement is cancelled, nothing is printed, and the scratch databases are dropped
// on the way out.
TEST_F(Diff, SigintAndSigtermStopADiffPromptlyAndDropItsScratchDatabases) {
  std::string slow = dir_ + "/slow.sql";
  WriteText(slow, "CREATE TABLE t (id int);\nSELECT pg_sleep(60);\n");
  int before = Databases();
  for (auto [sig, code] : {std::pair{SIGINT, 130}, std::pair{SIGTERM, 143}}) {
    std::string out = dir_ + "/interrupted.out";
    pid_t pid = TestStack::Shared().SpawnPgstack(
        {"migrate", "--dir", dir_, "diff", "--from", Url(), "--to", slow}, out);
    ASSERT_TRUE(WaitFor("the scratch databases", [&] { return Databases() == before + 2; }).ok());
    kill(pid, sig);
    // A diff that did not cancel the pg_sleep would take a minute.
    EXPECT_EQ(Reap(pid, std::chrono::seconds(20)), code) << ReadText(out);
    EXPECT_NE(ReadText(out).find(sig == SIGINT ? "interrupted (SIGINT)" : "(SIGTERM)"),
              std::string::npos)
        << ReadText(out);
    EXPECT_EQ(ReadText(out).find("CREATE TABLE"), std::string::npos) << "a plan was printed";
    EXPECT_EQ(Databases(), before) << "a scratch database stayed";
  }
}

// --write in each format: the files read back as that format, `up` arrives at the schema, and
// the downs, newest first, return the database to exactly the schema it had.
TEST_F(Diff, WrittenMigrationsOfEachFormatGoUpAndComeBackDown) {
  bool first = true;
  for (std::string format : {"pgstack", "dbmate", "golang-migrate", "sqlx", "diesel"}) {
    SCOPED_TRACE(format);
    if (!first) {
      TearDown();
      SetUp();
    }
    first = false;
    Sql("CREATE TABLE acct (id bigint PRIMARY KEY, email text)");
    std::string to = dir_ + "/to.sql";
    WriteText(to,
              "CREATE TABLE acct (id bigint PRIMARY KEY, email text NOT NULL, plan text "
              "DEFAULT 'free');\nCREATE UNIQUE INDEX acct_email ON acct (lower(email));\n"
              "CREATE VIEW emails AS SELECT email FROM acct;\n");
    std::string before = DumpOf(UrlSource());
    std::string migrations = dir_ + "/m";
    std::optional<migrate::Format> f = migrate::ParseFormat(format);
    ASSERT_TRUE(f.has_value());
    auto r = Request(File(to));
    r.source.dir = migrations;
    r.source.format = *f;
    auto d = migrate::PlanDiff(r);
    ASSERT_TRUE(d.ok()) << d.status().message();
    auto written = migrate::WriteDiffMigrations(r, *d, "acct_plan");
    ASSERT_TRUE(written.ok()) << written.status().message();
    migrate::Options o;
    o.dir = migrations;
    o.format = *f;
    o.conn = DbParams();
    auto up = migrate::Up(o);
    ASSERT_TRUE(up.ok()) << up.status().message();
    auto again = migrate::PlanDiff(Request(File(to)));
    ASSERT_TRUE(again.ok()) << again.status().message();
    EXPECT_TRUE(again->plan.empty()) << migrate::PlanScript(again->plan, {});
    auto down = migrate::Down(o, static_cast<int>(up->steps.size()), std::nullopt);
    ASSERT_TRUE(down.ok()) << down.status().message();
    EXPECT_EQ(DumpOf(UrlSource()), before);
  }
}

}  // namespace
}  // namespace pgstack::testing
