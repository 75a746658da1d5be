// `migrate adopt` on a real server: each tool's history table, made as the tool makes it, says
// the first fixture migration ran; adopt records it, and `up` then runs only the second.
#include <gtest/gtest.h>

#include "fixture.h"

namespace pgstack::testing {
namespace {

struct Tool {
  std::string format;
  std::string items;    // the table the fixture's first migration creates
  std::string history;  // the tool's history table, with the first migration applied
};

// Each DDL as the tool's PostgreSQL driver writes it.
const Tool kTools[] = {
    {"dbmate", "dbmate_items",
     "CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY);"
     "INSERT INTO schema_migrations VALUES ('20240101000001');"},
    {"golang-migrate", "golang_items",
     "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT "
     "NULL); INSERT INTO schema_migrations VALUES (1, false);"},
    {"flyway", "flyway_items",
     "CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY, version "
     "varchar(50), description varchar(200) NOT NULL, type varchar(20) NOT NULL, script "
     "varchar(1000) NOT NULL, checksum int, installed_by varchar(100) NOT NULL, installed_on "
     "timestamp NOT NULL DEFAULT now(), execution_time int NOT NULL, success boolean NOT NULL);"
     "INSERT INTO flyway_schema_history VALUES (1, '1', 'items', 'SQL', 'V1__items.sql', 0, "
     "'me', now(), 5, true);"},
    {"sqlx", "sqlx_items",
     "CREATE TABLE _sqlx_migrations (version bigint PRIMARY KEY, description text NOT NULL, "
     "installed_on timestamptz NOT NULL DEFAULT now(), success boolean NOT NULL, checksum bytea "
     "NOT NULL, execution_time bigint NOT NULL);"
     "INSERT INTO _sqlx_migrations VALUES (20240101000001, 'items', now(), true, '', 5);"},
    {"diesel", "diesel_items",
     "CREATE TABLE __diesel_schema_migrations (version varchar(50) PRIMARY KEY NOT NULL, run_on "
     "timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP);"
     "INSERT INTO __diesel_schema_migrations VALUES ('00000000000000'), ('20240101000001');"},
};

std::string Fixture(const std::string& format) {
  return SourceDir() + "/tests/integration/migrate/fixtures/" + format;
}

class Adopt : public ::testing::Test {
 protected:
  void Clean() {
    auto c = TestStack::Shared().Direct();
    ASSERT_TRUE(c.ok());
    std::string sql =
        "SET client_min_messages = warning; DROP SCHEMA IF EXISTS pgstack CASCADE;"
        "DROP TABLE IF EXISTS schema_migrations, flyway_schema_history, "
        "_sqlx_migrations, __diesel_schema_migrations";
    for (const Tool& t : kTools) sql += ", " + t.items;
    ASSERT_TRUE(c->Run(sql + " CASCADE").ok());
  }
  void SetUp() override { Clean(); }
  void TearDown() override { Clean(); }
  std::string Scalar(const std::string& sql) {
    auto c = TestStack::Shared().Direct();
    auto r = c.ok() ? c->Exec(sql) : Result<pg::QueryResult>(c.status());
    return r.ok() ? r->scalar() : "error: " + r.status().message();
  }
};

TEST_F(Adopt, EachToolsHistoryIsTakenOverAndUpRunsOnlyTheRest) {
  for (const Tool& t : kTools) {
    SCOPED_TRACE(t.format);
    Clean();
    auto c = TestStack::Shared().Direct();
    ASSERT_TRUE(c.ok());
    // What the tool did: the first migration ran and its history says so.
    ASSERT_TRUE(
        c->Run("CREATE TABLE " + t.items + " (id int PRIMARY KEY, note text);" + t.history).ok());
    auto adopt = TestStack::Shared().Pgstack({"migrate", "adopt", "--dir", Fixture(t.format)});
    ASSERT_EQ(adopt.exit_code, 0) << adopt.output;
    EXPECT_NE(adopt.output.find("adopting " + t.format), std::string::npos) << adopt.output;
    EXPECT_EQ(adopt.output.find(" ms"), std::string::npos) << "no timing for what did not run";
    auto status = TestStack::Shared().Pgstack({"migrate", "status", "--dir", Fixture(t.format)});
    EXPECT_NE(status.output.find("\nbaselined "), std::string::npos) << status.output;
    // The first migration's CREATE TABLE would fail if it ran again.
    auto up = TestStack::Shared().Pgstack({"migrate", "up", "--dir", Fixture(t.format)});
    ASSERT_EQ(up.exit_code, 0) << up.output;
    EXPECT_EQ(Scalar("SELECT count(*) FROM " + t.items), "2");
    EXPECT_EQ(Scalar("SELECT count(*) FROM pgstack.schema_history WHERE kind = 'baseline'"),
              t.format == "diesel" ? "2" : "1");
  }
}

TEST_F(Adopt, IntoANamedHistoryWhichUpAndStatusThenFollow) {
  const Tool& gm = kTools[1];
  ASSERT_EQ(gm.format, "golang-migrate");
  auto c = TestStack::Shared().Direct();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(
      c->Run("CREATE TABLE " + gm.items + " (id int PRIMARY KEY, note text);" + gm.history).ok());
  std::vector<std::string> named = {"--dir", Fixture(gm.format), "--history", "items_history"};
  auto run = [&](std::string action) {
    std::vector<std::string> args = {"migrate", action};
    args.insert(args.end(), named.begin(), named.end());
    return TestStack::Shared().Pgstack(args);
  };
  auto adopt = run("adopt");
  ASSERT_EQ(adopt.exit_code, 0) << adopt.output;
  EXPECT_EQ(Scalar("SELECT version || ' ' || kind FROM pgstack.items_history"), "1 baseline");
  EXPECT_EQ(Scalar("SELECT to_regclass('pgstack.schema_history') IS NULL"), "t");
  EXPECT_NE(run("status").output.find("\nbaselined "), std::string::npos);
  auto up = run("up");
  ASSERT_EQ(up.exit_code, 0) << up.output;
  EXPECT_EQ(Scalar("SELECT count(*) FROM " + gm.items), "2");
  EXPECT_EQ(Scalar("SELECT count(*) FROM pgstack.items_history"), "2");
}

TEST_F(Adopt, RefusesWhatItCannotTrust) {
  auto c = TestStack::Shared().Direct();
  ASSERT_TRUE(c.ok());
  // Nothing to adopt.
  auto none = TestStack::Shared().Pgstack({"migrate", "adopt", "--dir", Fixture("dbmate")});
  EXPECT_EQ(none.exit_code, 2) << none.output;
  EXPECT_NE(none.output.find("no other tool's history table"), std::string::npos);
  // golang-migrate stopped half way: its dirty flag is set.
  ASSERT_TRUE(c->Run("CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty "
                     "boolean NOT NULL); INSERT INTO schema_migrations VALUES (2, true)")
                  .ok());
  auto dirty =
      TestStack::Shared().Pgstack({"migrate", "adopt", "--dir", Fixture("golang-migrate")});
  EXPECT_EQ(dirty.exit_code, 3) << dirty.output;
  EXPECT_NE(dirty.output.find("dirty at version 2"), std::string::npos) << dirty.output;
  // A version the directory has no file for.
  ASSERT_TRUE(c->Run("DROP TABLE schema_migrations; CREATE TABLE schema_migrations (version "
                     "varchar(128) PRIMARY KEY); INSERT INTO schema_migrations VALUES "
                     "('20240101000001'), ('20991231000000')")
                  .ok());
  auto unknown = TestStack::Shared().Pgstack({"migrate", "adopt", "--dir", Fixture("dbmate")});
  EXPECT_EQ(unknown.exit_code, 3) << unknown.output;
  EXPECT_NE(unknown.output.find("20991231000000"), std::string::npos) << unknown.output;
  // A gap: the newest applied version is 2, but 1 never ran.
  ASSERT_TRUE(c->Run("TRUNCATE schema_migrations; INSERT INTO schema_migrations VALUES "
                     "('20240101000002')")
                  .ok());
  auto gap = TestStack::Shared().Pgstack({"migrate", "adopt", "--dir", Fixture("dbmate")});
  EXPECT_EQ(gap.exit_code, 3) << gap.output;
  EXPECT_NE(gap.output.find("20240101000001"), std::string::npos) << gap.output;
  EXPECT_EQ(Scalar("SELECT to_regclass('pgstack.schema_history') IS NULL"), "t")
      << "a refused adopt recorded something";
  // Two tools' tables at once: --from picks.
  ASSERT_TRUE(c->Run("CREATE TABLE _sqlx_migrations (version bigint PRIMARY KEY, success "
                     "boolean NOT NULL)")
                  .ok());
  auto two = TestStack::Shared().Pgstack({"migrate", "adopt", "--dir", Fixture("dbmate")});
  EXPECT_EQ(two.exit_code, 2) << two.output;
  EXPECT_NE(two.output.find("--from"), std::string::npos) << two.output;
}

}  // namespace
}  // namespace pgstack::testing
