// migrate lint, static: every rule of the table fires on its bad example and not on its good
// one; file:line:column, lint-ignore, new-table awareness, per-directory config, the context of
// applied migrations, and the JSON/SARIF shapes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "pgstack/migrate/lint.h"

namespace pgstack::migrate {
namespace {

class LintTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pgstack_lint_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& sql) {
    std::string path = (dir_ / name).string();
    std::ofstream(path) << sql;
    return path;
  }
  Migration Read(const std::string& sql, const std::string& name = "m.sql") {
    auto m = ReadLintFile(Write(name, sql));
    EXPECT_TRUE(m.ok()) << m.status().message();
    return m.ok() ? std::move(*m) : Migration();
  }
  LintReport LintSql(const std::string& sql, const LintOptions& o = {},
                     const std::vector<std::string>& context = {}) {
    Migration m = Read(sql);
    std::vector<Migration> ctx;
    for (size_t i = 0; i < context.size(); ++i) {
      ctx.push_back(Read(context[i], "ctx" + std::to_string(i) + ".sql"));
    }
    std::vector<const Migration*> ctx_ptrs;
    for (const auto& c : ctx) ctx_ptrs.push_back(&c);
    return Lint({&m}, o, ctx_ptrs);
  }
  static std::vector<std::string> Rules(const LintReport& r) {
    std::vector<std::string> out;
    for (const Finding& f : r.findings) out.push_back(f.rule);
    return out;
  }
  static bool Fires(const LintReport& r, std::string_view rule) {
    for (const Finding& f : r.findings) {
      if (f.rule == rule) return true;
    }
    return false;
  }
  std::filesystem::path dir_;
};

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

TEST_F(LintTest, EveryRuleFiresOnItsBadExampleAndNotOnItsGoodOne) {
  for (const LintRule& rule : LintRules()) {
    ASSERT_FALSE(rule.bad.empty()) << rule.id;
    ASSERT_FALSE(rule.postgres.empty() || rule.fix.empty() || rule.summary.empty()) << rule.id;
    if (rule.trace_only) continue;
    LintReport bad = LintSql(std::string(rule.bad));
    EXPECT_TRUE(Fires(bad, rule.id))
        << rule.id << " did not fire on: " << rule.bad << " (fired: " << Join(Rules(bad)) << ")";
    LintReport good = LintSql(std::string(rule.good));
    EXPECT_FALSE(Fires(good, rule.id)) << rule.id << " fired on its good example: " << rule.good;
  }
}

TEST_F(LintTest, RuleIdsAreUniqueAndFindable) {
  std::set<std::string_view> seen;
  for (const LintRule& rule : LintRules()) {
    EXPECT_TRUE(seen.insert(rule.id).second) << rule.id;
    EXPECT_EQ(FindLintRule(rule.id), &rule);
  }
  EXPECT_EQ(FindLintRule("no-such-rule"), nullptr);
}

TEST_F(LintTest, EachRuleIdHasItsRowAndAMistypedNameItsNearest) {
  for (const LintRule& rule : LintRules()) {
    EXPECT_EQ(&LintRuleOf(rule.key), &rule) << rule.id;
    auto parsed = ParseLintRuleId(rule.id);
    ASSERT_TRUE(parsed.ok()) << rule.id;
    EXPECT_EQ(*parsed, rule.key);
  }
  auto typo = ParseLintRuleId("droping-table");
  ASSERT_FALSE(typo.ok());
  EXPECT_EQ(typo.status().code(), Code::kInvalidInput);
  EXPECT_NE(typo.status().message().find("'droping-table'"), std::string::npos);
  EXPECT_NE(typo.status().message().find("did you mean 'dropping-table'"), std::string::npos)
      << typo.status().message();
  EXPECT_EQ(typo.status().message().find('\n'), std::string::npos);
  auto far = ParseLintRuleId("zzz");
  ASSERT_FALSE(far.ok());
  EXPECT_EQ(far.status().message().find("did you mean"), std::string::npos);
}

TEST_F(LintTest, FindingNamesFileLineAndColumnOfTheStatement) {
  LintReport r = LintSql(
      "-- the owner of an account\n\n\n  ALTER TABLE accounts ADD CONSTRAINT accounts_owner_fk "
      "FOREIGN KEY (owner_id) REFERENCES people (id);\n");
  ASSERT_EQ(r.findings.size(), 1u) << Join(Rules(r));
  EXPECT_EQ(r.findings[0].rule, "adding-foreign-key-constraint");
  EXPECT_EQ(r.findings[0].line, 4);
  EXPECT_EQ(r.findings[0].column, 3);
  EXPECT_EQ(r.findings[0].file, (dir_ / "m.sql").string());
  EXPECT_NE(r.findings[0].message.find("SHARE ROW EXCLUSIVE"), std::string::npos);
  EXPECT_NE(r.findings[0].fix.find("NOT VALID"), std::string::npos);
  EXPECT_EQ(r.files, 1);
  EXPECT_EQ(r.Worst(), Severity::kWarning);
}

TEST_F(LintTest, LintIgnoreSilencesOnlyTheNamedRuleOnTheNextStatement) {
  LintReport r = LintSql(
      "-- pgstack:lint-ignore dropping-table the table is empty everywhere\n"
      "DROP TABLE legacy;\n"
      "DROP TABLE other;\n");
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].line, 3);
  // Another rule's name silences nothing; a list silences each.
  EXPECT_TRUE(Fires(LintSql("-- pgstack:lint-ignore renaming-table x\nDROP TABLE legacy;\n"),
                    "dropping-table"));
  EXPECT_FALSE(Fires(LintSql("-- why\n-- pgstack:lint-ignore renaming-table,dropping-table x\n"
                             "DROP TABLE legacy;\n"),
                     "dropping-table"));
  // A blank line between them ends the comment block above the statement.
  EXPECT_TRUE(Fires(LintSql("-- pgstack:lint-ignore dropping-table x\n\nDROP TABLE legacy;\n"),
                    "dropping-table"));
}

TEST_F(LintTest, ALintIgnoreNamingNoRuleIsAnErrorAtTheNameWithTheNearest) {
  LintReport r = LintSql(
      "-- why\n-- pgstack:lint-ignore renaming-table,droping-table x\nDROP TABLE legacy;\n");
  ASSERT_EQ(Join(Rules(r)), "lint-ignore-unknown-rule,dropping-table");
  EXPECT_EQ(r.findings[0].severity, Severity::kError);
  EXPECT_EQ(r.findings[0].line, 2);
  EXPECT_EQ(r.findings[0].column, 39);
  EXPECT_NE(r.findings[0].message.find("'droping-table' (did you mean 'dropping-table'?"),
            std::string::npos)
      << r.findings[0].message;
  // Applied migrations (context) report nothing, this included.
  EXPECT_EQ(Join(Rules(LintSql("SELECT 1;", {}, {"-- pgstack:lint-ignore nope x\nSELECT 1;"}))),
            "");
}

TEST_F(LintTest, WorkOnATableCreatedInTheSameRunIsNotFlagged) {
  LintReport r = LintSql(
      "CREATE TABLE gadgets (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, code text NOT "
      "NULL);\nCREATE UNIQUE INDEX gadgets_code_key ON gadgets (code);\nALTER TABLE gadgets ADD "
      "COLUMN weight bigint NOT NULL;\nALTER TABLE gadgets ADD CONSTRAINT c CHECK (weight > 0);\n"
      "ALTER TABLE gadgets RENAME TO widgets;\nALTER TABLE widgets ALTER COLUMN code TYPE "
      "bigint USING 0;\nDROP INDEX gadgets_code_key;\n");
  EXPECT_TRUE(r.findings.empty()) << Join(Rules(r));
  // Across migrations of one run too.
  Migration a = Read("CREATE TABLE t (id bigint PRIMARY KEY);", "1.sql");
  Migration b = Read("CREATE INDEX t_idx ON t (id);", "2.sql");
  EXPECT_TRUE(Lint({&a, &b}, {}).findings.empty());
  // But not when the table came from an applied migration (context).
  EXPECT_TRUE(Fires(Lint({&b}, {}, {&a}), "require-concurrent-index-creation"));
}

TEST_F(LintTest, DisabledRulesGlobalAndPerDirectory) {
  LintOptions o;
  o.disabled.insert("dropping-table");
  EXPECT_FALSE(Fires(LintSql("DROP TABLE legacy;", o), "dropping-table"));
  LintOptions per_dir;
  per_dir.disabled_in_dir[dir_.string()] = {"dropping-table"};
  EXPECT_FALSE(Fires(LintSql("DROP TABLE legacy;", per_dir), "dropping-table"));
  per_dir.disabled_in_dir = {{"/elsewhere", {"dropping-table"}}};
  EXPECT_TRUE(Fires(LintSql("DROP TABLE legacy;", per_dir), "dropping-table"));

  Write(".pgstack-lint", "# quiet ones\ndisable = dropping-table, renaming-table\n");
  auto rules = DisabledRulesOf(dir_.string());
  ASSERT_TRUE(rules.ok()) << rules.status().message();
  EXPECT_EQ(*rules, (std::set<std::string>{"dropping-table", "renaming-table"}));
  Write(".pgstack-lint", "disable = no-such-rule\n");
  auto bad = DisabledRulesOf(dir_.string());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidInput);
  EXPECT_NE(bad.status().message().find(".pgstack-lint:1"), std::string::npos);
  EXPECT_TRUE(DisabledRulesOf((dir_ / "none").string())->empty());
}

TEST_F(LintTest, DisabledRulesPerDirectoryInConfig) {
  auto env = core::ParseEnvironment(
      R"({"environments": {"e": {"postgres": {"database": "d", "user": "u"},
          "migrate": {"lint_disable": {")" +
          dir_.string() + R"(/": ["dropping-table"], "/elsewhere": ["renaming-table"]}}}}})",
      "c.json", "e");
  ASSERT_TRUE(env.ok()) << env.status().message();
  // The key names the directory as written; "dir/" and "dir/." are the same one.
  auto rules = ConfigDisabledRules(env->migrate, "c.json", (dir_ / ".").string());
  ASSERT_TRUE(rules.ok()) << rules.status().message();
  EXPECT_EQ(*rules, (std::set<std::string>{"dropping-table"}));
  core::MigrateConfig bad;
  bad.lint_disable[dir_.string()] = {"no-such-rule"};
  auto refused = ConfigDisabledRules(bad, "c.json", dir_.string());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kInvalidInput);
  EXPECT_NE(refused.status().message().find("c.json: migrate.lint_disable."), std::string::npos);
  EXPECT_NE(refused.status().message().find("'no-such-rule'"), std::string::npos);
}

TEST_F(LintTest, ColumnTypeChangesKnownFromContextAreJudgedExactly) {
  std::vector<std::string> ctx = {
      "CREATE TABLE notes (id bigint PRIMARY KEY, body varchar(100), price numeric(8,2), n "
      "integer);"};
  EXPECT_FALSE(Fires(LintSql("ALTER TABLE notes ALTER COLUMN body TYPE text;", {}, ctx),
                     "changing-column-type"));
  EXPECT_FALSE(Fires(LintSql("ALTER TABLE notes ALTER COLUMN body TYPE varchar(200);", {}, ctx),
                     "changing-column-type"));
  EXPECT_FALSE(Fires(LintSql("ALTER TABLE notes ALTER COLUMN price TYPE numeric(10,2);", {}, ctx),
                     "changing-column-type"));
  EXPECT_TRUE(Fires(LintSql("ALTER TABLE notes ALTER COLUMN body TYPE varchar(50);", {}, ctx),
                    "changing-column-type"));
  EXPECT_TRUE(Fires(LintSql("ALTER TABLE notes ALTER COLUMN price TYPE numeric(10,3);", {}, ctx),
                    "changing-column-type"));
  LintReport widen = LintSql("ALTER TABLE notes ALTER COLUMN n TYPE text;", {}, ctx);
  ASSERT_TRUE(Fires(widen, "changing-column-type"));
  EXPECT_EQ(widen.Worst(), Severity::kWarning);
  // An old type in none of the files may make any change a rewrite or a scan: a warning.
  for (const char* sql : {"ALTER TABLE other ALTER COLUMN c TYPE text;",
                          "ALTER TABLE t ALTER COLUMN c TYPE varchar(50);"}) {
    LintReport unknown = LintSql(sql);
    ASSERT_TRUE(Fires(unknown, "changing-column-type")) << sql;
    EXPECT_EQ(unknown.Worst(), Severity::kWarning) << sql;
  }
}

TEST_F(LintTest, SetNotNullAfterAValidatedCheckIsSafe) {
  std::vector<std::string> ctx = {
      "ALTER TABLE orders ADD CONSTRAINT orders_region_nn CHECK (region IS NOT NULL) NOT VALID;"};
  EXPECT_FALSE(Fires(LintSql("ALTER TABLE orders VALIDATE CONSTRAINT orders_region_nn;\nALTER "
                             "TABLE orders ALTER COLUMN region SET NOT NULL;",
                             {}, ctx),
                     "setting-not-null"));
  // The validated check is for another column.
  EXPECT_TRUE(Fires(LintSql("ALTER TABLE orders VALIDATE CONSTRAINT orders_region_nn;\nALTER "
                            "TABLE orders ALTER COLUMN city SET NOT NULL;",
                            {}, ctx),
                    "setting-not-null"));
}

TEST_F(LintTest, AddColumnDefaults) {
  EXPECT_FALSE(Fires(LintSql("ALTER TABLE t ADD COLUMN at timestamptz NOT NULL DEFAULT now();"),
                     "adding-field-with-volatile-default"));
  EXPECT_FALSE(Fires(LintSql("ALTER TABLE t ADD COLUMN at timestamptz NOT NULL DEFAULT now();"),
                     "adding-required-field"));
  EXPECT_TRUE(Fires(LintSql("ALTER TABLE t ADD COLUMN r int DEFAULT (random() * 10)::int;"),
                    "adding-field-with-volatile-default"));
  EXPECT_TRUE(Fires(LintSql("ALTER TABLE t ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;"),
                    "adding-serial-column"));
  EXPECT_FALSE(Fires(LintSql("ALTER TABLE t ADD COLUMN id bigint NOT NULL GENERATED ALWAYS AS "
                             "IDENTITY;"),
                     "adding-required-field"));
}

TEST_F(LintTest, RunnerAwareness) {
  // pgstack's sections and directives: lock-timeout=0 is a finding at the marker line.
  LintReport r = LintSql("-- pgstack:up lock-timeout=0\nALTER TABLE t ADD COLUMN c text;\n");
  ASSERT_TRUE(Fires(r, "lock-timeout-disabled"));
  EXPECT_EQ(r.findings[0].line, 1);
  // A bare statement that fails when repeated, only where it runs bare.
  EXPECT_TRUE(Fires(LintSql("DROP INDEX CONCURRENTLY i;"), "non-idempotent-resume"));
  EXPECT_FALSE(Fires(LintSql("DROP INDEX CONCURRENTLY IF EXISTS i;"), "non-idempotent-resume"));
  // CREATE INDEX CONCURRENTLY is resumed by the runner itself.
  EXPECT_TRUE(LintSql("CREATE INDEX CONCURRENTLY i ON t (c);").findings.empty());
  // Each statement of a no-transaction migration commits on its own: no lock is carried over.
  EXPECT_FALSE(Fires(LintSql("-- pgstack:up no-transaction\nALTER TABLE t ADD CONSTRAINT c CHECK "
                             "(x > 0) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT c;\n"),
                     "multiple-strong-locks"));
  // The down section is not linted.
  EXPECT_TRUE(LintSql("-- pgstack:up\nCREATE TABLE t (id bigint);\n-- pgstack:down\nDROP TABLE "
                      "t;\n")
                  .findings.empty());
}

TEST_F(LintTest, AStatementTheGrammarRejectsIsAnError) {
  LintReport r = LintSql("ALTER TABLE t ADD COLUMN c text;\nSELEC 1;\nDROP TABLE t2;\n");
  EXPECT_EQ(Join(Rules(r)), "syntax-error,dropping-table");
  EXPECT_EQ(r.findings[0].line, 2);
  EXPECT_EQ(r.Worst(), Severity::kError);
  EXPECT_EQ(Join(Rules(LintSql("ALTER TABLE t ADD COLUM note text;"))), "syntax-error");
  // A marker of newer syntax inside a string or a comment excuses nothing.
  EXPECT_EQ(Join(Rules(LintSql("SELEC 'JSON_TABLE'; -- JSON_TABLE\n"))), "syntax-error");
}

TEST_F(LintTest, SyntaxNewerThanTheGrammarIsReportedNotGuessed) {
  for (const char* sql : {
           "SELECT * FROM JSON_TABLE('[1]'::jsonb, '$[*]' COLUMNS (v int PATH '$')) jt;",
           "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE RETURNING t.id;",
           "ALTER TABLE orders ALTER COLUMN total SET EXPRESSION AS (price * quantity);",
           "SELECT JSON_OBJECT('a' VALUE 1);",
       }) {
    LintReport r = LintSql(sql);
    ASSERT_EQ(Join(Rules(r)), "not-parsed") << sql;
    EXPECT_EQ(r.Worst(), Severity::kInfo) << sql;
    EXPECT_NE(r.findings[0].message.find("grammar"), std::string::npos) << r.findings[0].message;
    EXPECT_NE(r.findings[0].message.find("15"), std::string::npos) << r.findings[0].message;
  }
}

TEST_F(LintTest, JsonAndSarifShapes) {
  LintReport r = LintSql("DROP TABLE legacy;");
  nlohmann::json j = LintJson(r);
  EXPECT_EQ(j["files"], 1);
  ASSERT_EQ(j["findings"].size(), 1u);
  for (const char* key : {"rule", "severity", "file", "line", "column", "message", "fix"}) {
    EXPECT_TRUE(j["findings"][0].contains(key)) << key;
  }
  nlohmann::json s = LintSarif(r);
  EXPECT_EQ(s["version"], "2.1.0");
  EXPECT_EQ(s["runs"][0]["tool"]["driver"]["rules"].size(), LintRules().size());
  const auto& res = s["runs"][0]["results"][0];
  EXPECT_EQ(res["ruleId"], "dropping-table");
  EXPECT_EQ(res["level"], "warning");
  EXPECT_EQ(res["locations"][0]["physicalLocation"]["region"]["startLine"], 1);
  EXPECT_EQ(res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            (dir_ / "m.sql").string());
}

TEST_F(LintTest, EveryRuleIsDocumentedWithItsExample) {
  auto doc = std::filesystem::path(PGSTACK_SOURCE_DIR) / "docs/migrations.md";
  std::ifstream in(doc);
  ASSERT_TRUE(in) << doc;
  std::stringstream text;
  text << in.rdbuf();
  for (const LintRule& rule : LintRules()) {
    EXPECT_NE(text.str().find("#### `" + std::string(rule.id) + "` (" +
                              std::string(SeverityName(rule.severity)) + ")"),
              std::string::npos)
        << rule.id << " has no heading with its severity in docs/migrations.md";
    EXPECT_NE(text.str().find(std::string(rule.bad)), std::string::npos)
        << rule.id << "'s example is not in docs/migrations.md";
  }
}

// The other way round from EveryRuleIsDocumentedWithItsExample: the docs' list of rules is the
// table's, in its order, with no heading for a rule the table does not have.
TEST_F(LintTest, TheDocsListExactlyTheRulesOfTheTable) {
  auto doc = std::filesystem::path(PGSTACK_SOURCE_DIR) / "docs/migrations.md";
  std::ifstream in(doc);
  ASSERT_TRUE(in) << doc;
  std::vector<std::string> documented;
  const std::string heading = "#### `";
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(heading, 0) != 0) continue;
    documented.push_back(
        line.substr(heading.size(), line.find('`', heading.size()) - heading.size()));
  }
  std::vector<std::string> table;
  for (const LintRule& rule : LintRules()) table.emplace_back(rule.id);
  EXPECT_EQ(Join(documented), Join(table));
}

}  // namespace
}  // namespace pgstack::migrate
