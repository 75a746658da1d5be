// The plan of migrate diff from hand-made catalogs: what runs alone and what shares a
// transaction, the online forms on tables that exist, the hazards and their names. The server's
// side (that a plan runs and arrives) is tests/integration/schema/diff_test.cpp.
#include <gtest/gtest.h>

#include "pgstack/migrate/hazard.h"
#include "pgstack/migrate/schema_plan.h"

namespace pgstack::migrate {
namespace {

CatalogObject Table(std::string identity, std::vector<Column> columns) {
  return {.kind = ObjectKind::kTable,
          .node = "t:" + identity,
          .schema = "public",
          .identity = identity,
          .ddl = "CREATE TABLE " + identity + " (...);",
          .after = {},
          .parent = "",
          .name = "",
          .shape = "pr\x1f\x1f\x1f",
          .columns = std::move(columns),
          .labels = {}};
}

CatalogObject Index(std::string name, const std::string& table) {
  return {.kind = ObjectKind::kIndex,
          .node = "i:" + name,
          .schema = "public",
          .identity = "public." + name,
          .ddl = "CREATE INDEX " + name + " ON " + table + " USING btree (id);",
          .after = {"t:" + table},
          .parent = table,
          .name = name,
          .shape = "r",
          .columns = {},
          .labels = {}};
}

Column Col(std::string name, std::string type, bool not_null = false) {
  return {.name = std::move(name), .type = std::move(type), .not_null = not_null};
}

std::vector<std::string> Sqls(const SchemaPlan& p) {
  std::vector<std::string> out;
  for (const PlanStatement& st : p.statements) out.push_back(st.sql);
  return out;
}

std::vector<HazardKind> Kinds(const SchemaPlan& p) {
  std::vector<HazardKind> out;
  for (const Hazard& h : p.hazards()) out.push_back(h.kind);
  return out;
}

TEST(SchemaPlan, AnIndexOnATableThatExistsIsBuiltConcurrentlyAloneAndOnANewOnePlainly) {
  Catalog from{{Table("public.old", {Col("id", "integer")})}};
  Catalog to{{Table("public.old", {Col("id", "integer")}), Index("old_id", "public.old"),
              Table("public.fresh", {Col("id", "integer")}), Index("fresh_id", "public.fresh")}};
  SchemaPlan p = PlanChanges(from, to);
  ASSERT_EQ(p.statements.size(), 3u) << ::testing::PrintToString(Sqls(p));
  const PlanStatement* concurrent = nullptr;
  for (const PlanStatement& st : p.statements) {
    if (st.sql.find("old_id") != std::string::npos) concurrent = &st;
    if (st.sql.find("fresh_id") != std::string::npos) {
      EXPECT_EQ(st.sql, "CREATE INDEX fresh_id ON public.fresh USING btree (id);");
      EXPECT_TRUE(st.transaction);
    }
  }
  ASSERT_NE(concurrent, nullptr);
  EXPECT_EQ(concurrent->sql, "CREATE INDEX CONCURRENTLY old_id ON public.old USING btree (id);");
  EXPECT_FALSE(concurrent->transaction);
  EXPECT_EQ(Kinds(p), std::vector<HazardKind>{HazardKind::kIndexBuild});
}

TEST(SchemaPlan, SetNotNullGoesThroughAValidatedCheckInItsOwnTransactions) {
  Catalog from{{Table("public.t", {Col("a", "bigint")})}};
  Catalog to{{Table("public.t", {Col("a", "bigint", true)})}};
  SchemaPlan p = PlanChanges(from, to);
  EXPECT_EQ(Sqls(p), (std::vector<std::string>{
                         "ALTER TABLE public.t ADD CONSTRAINT \"a_not_null\" CHECK (a IS NOT "
                         "NULL) NOT VALID;",
                         "ALTER TABLE public.t VALIDATE CONSTRAINT \"a_not_null\";",
                         "ALTER TABLE public.t ALTER COLUMN a SET NOT NULL;",
                         "ALTER TABLE public.t DROP CONSTRAINT \"a_not_null\";"}));
  std::vector<PlanGroup> groups = GroupPlan(p);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[1].statements.size(), 1u);  // the validation, alone
}

TEST(SchemaPlan, TypeChangesAreNamedByWhatTheServerDoes) {
  Catalog from{{Table(
      "public.t", {Col("a", "character varying(10)"), Col("b", "bigint"), Col("c", "integer")})}};
  Catalog to{{Table("public.t",
                    {Col("a", "character varying(20)"), Col("b", "integer"), Col("c", "bigint")})}};
  SchemaPlan p = PlanChanges(from, to);
  std::vector<HazardKind> kinds = Kinds(p);
  auto has = [&](HazardKind k) { return std::count(kinds.begin(), kinds.end(), k); };
  EXPECT_EQ(has(HazardKind::kDeletesData), 1) << "bigint to integer narrows";
  EXPECT_EQ(has(HazardKind::kRewritesTable), 1) << "integer to bigint rewrites";
  EXPECT_EQ(has(HazardKind::kDependsOnData), 3) << "every cast can fail";
  EXPECT_NE(Sqls(p)[0].find("TYPE character varying(20) USING a::character varying(20)"),
            std::string::npos);
}

TEST(SchemaPlan, ATypeWithoutACastDropsAndAddsTheColumnUnlessUsingIsGiven) {
  Catalog from{{Table("public.t", {Col("tags", "jsonb")})}};
  Catalog to{{Table("public.t", {Col("tags", "text[]")})}};
  SchemaPlanOptions no_cast{
      .can_cast = [](const std::string&, const std::string&) { return false; }};
  EXPECT_EQ(Sqls(PlanChanges(from, to, no_cast)),
            (std::vector<std::string>{"ALTER TABLE public.t DROP COLUMN tags;",
                                      "ALTER TABLE public.t ADD COLUMN tags text[];"}));
  no_cast.using_exprs["public.t.tags"] = "x(tags)";
  EXPECT_EQ(Sqls(PlanChanges(from, to, no_cast)),
            (std::vector<std::string>{
                "ALTER TABLE public.t ALTER COLUMN tags TYPE text[] USING x(tags);"}));
}

TEST(SchemaPlan, ADroppedTableGoesLastWithItsHazardNamingALikelyRename) {
  Catalog from{{Table("public.a", {Col("id", "integer")}), Index("a_id", "public.a")}};
  Catalog to{{Table("public.b", {Col("id", "integer")})}};
  SchemaPlan p = PlanChanges(from, to);
  ASSERT_EQ(Sqls(p),
            (std::vector<std::string>{"CREATE TABLE public.b (...);", "DROP TABLE public.a;"}));
  ASSERT_EQ(p.statements[1].hazards.size(), 1u);
  EXPECT_EQ(p.statements[1].hazards[0].kind, HazardKind::kDeletesData);
  EXPECT_NE(p.statements[1].hazards[0].message.find("--rename table:public.a=public.b"),
            std::string::npos);
}

TEST(SchemaPlan, TheScriptGroupsTransactionsAndPutsEachHazardAboveItsStatement) {
  SchemaPlan p;
  p.statements.push_back({.sql = "CREATE TABLE x ();"});
  p.statements.push_back({.sql = "ALTER TABLE x ADD COLUMN y int;"});
  p.statements.push_back(
      {.sql = "CREATE INDEX CONCURRENTLY i ON t (c);", .transaction = false, .long_running = true});
  p.statements.push_back(
      {.sql = "DROP TABLE z;", .hazards = {{HazardKind::kDeletesData, "z", "drops the table"}}});
  std::string script = PlanScript(p, {.lock_ms = 5000, .ddl_ms = 60000, .build_ms = 0});
  EXPECT_EQ(script, std::string(kPreamble) +
                        "\nBEGIN;\nSET LOCAL lock_timeout = '5s';\n"
                        "SET LOCAL statement_timeout = '1min';\nCREATE TABLE x ();\n"
                        "ALTER TABLE x ADD COLUMN y int;\nCOMMIT;\n"
                        "\nSET lock_timeout = '5s';\nSET statement_timeout = '0';\n"
                        "CREATE INDEX CONCURRENTLY i ON t (c);\n"
                        "\nBEGIN;\nSET LOCAL lock_timeout = '5s';\n"
                        "SET LOCAL statement_timeout = '1min';\n"
                        "-- hazard deletes_data: drops the table\nDROP TABLE z;\nCOMMIT;\n");
  EXPECT_EQ(PlanScript(SchemaPlan{}, {}), "");
}

TEST(Hazards, AllowedKindsAreNamesAliasesOrAll) {
  auto some = ParseAllowedHazards("deletes_data, AUTHZ_UPDATE");
  ASSERT_TRUE(some.ok());
  EXPECT_EQ(*some, (std::set<HazardKind>{HazardKind::kDeletesData, HazardKind::kAuthzUpdate}));
  auto all = ParseAllowedHazards("all");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), HazardTable().size());
  auto bad = ParseAllowedHazards("deletes_data,drops");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidInput);
  EXPECT_NE(bad.status().message().find("unknown hazard 'drops'"), std::string::npos);
  for (const HazardSpec& h : HazardTable()) EXPECT_EQ(SpecOf(h.kind).name, h.name);
}

}  // namespace
}  // namespace pgstack::migrate
