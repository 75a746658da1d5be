// One history per service: two migrations directories on one database, each with its own
// history name (from the config or --history), go up, down and report on their own, and their
// runners do not wait for each other while runners of one service still take turns.
#include <gtest/gtest.h>

#include "child.h"
#include "migrate_fixture.h"

namespace pgstack::testing {
namespace {

class HistoryName : public Migrate {
 protected:
  void SetUp() override {
    Migrate::SetUp();
    orders_ = dir_ + "/orders";
    billing_ = dir_ + "/billing";
    // The same versions in both: one shared history would take billing's for edited orders'.
    for (const std::string& svc : {std::string("orders"), std::string("billing")}) {
      std::string d = svc == "orders" ? orders_ : billing_;
      WriteText(d + "/0001_" + svc + ".sql", "-- pgstack:up\nCREATE TABLE mt." + svc +
                                                 " (id int);\n-- pgstack:down\nDROP TABLE mt." +
                                                 svc + ";\n");
      WriteText(d + "/0002_" + svc + "_rows.sql", "-- pgstack:up\nINSERT INTO mt." + svc +
                                                      " VALUES (1);\n-- pgstack:down\nDELETE "
                                                      "FROM mt." +
                                                      svc + ";\n");
    }
  }

  // A copy of the test config whose migrate.history is `histories`; its path.
  std::string ConfigWith(const json& histories, const std::string& file) {
    json config = json::parse(ReadFile(SourceDir() + "/config/database.json"));
    config["environments"][TestStack::Shared().env().name]["migrate"]["history"] = histories;
    std::string path = dir_ + "/" + file;
    WriteText(path, config.dump(2));
    return path;
  }

  // pgstack migrate with the given config on the shared stack.
  core::CommandOutput WithConfig(const std::string& config, std::vector<std::string> args) {
    std::vector<std::string> full = {"--config",    config,
                                     "--env",       TestStack::Shared().env().name,
                                     "--state-dir", TestStack::Shared().state_dir(),
                                     "migrate"};
    full.insert(full.end(), args.begin(), args.end());
    return RunPgstack(full);
  }

  std::string orders_, billing_;
};

TEST_F(HistoryName, TwoServicesOnOneDatabaseEachGoUpStatusAndDownOnTheirOwn) {
  // orders' history from the config; billing's from --history, which wins over the config.
  std::string config = ConfigWith(
      {{orders_, "orders_history"}, {billing_, "config_billing_history"}}, "database.json");
  auto orders_up = WithConfig(config, {"up", "--dir", orders_});
  ASSERT_EQ(orders_up.exit_code, 0) << orders_up.output;
  auto billing_up = WithConfig(config, {"up", "--dir", billing_, "--history", "billing_history"});
  ASSERT_EQ(billing_up.exit_code, 0) << billing_up.output;
  EXPECT_EQ(Scalar("SELECT string_agg(name, ',' ORDER BY version) FROM pgstack.orders_history"),
            "orders,orders_rows");
  EXPECT_EQ(Scalar("SELECT string_agg(name, ',' ORDER BY version) FROM pgstack.billing_history"),
            "billing,billing_rows");
  // --history won over the config, and the default history was never made.
  EXPECT_EQ(Scalar("SELECT to_regclass('pgstack.config_billing_history') IS NULL AND "
                   "to_regclass('pgstack.schema_history') IS NULL"),
            "t");

  auto down = WithConfig(config, {"down", "--dir", orders_});
  ASSERT_EQ(down.exit_code, 0) << down.output;
  auto orders_status = WithConfig(config, {"--json", "status", "--dir", orders_});
  ASSERT_EQ(orders_status.exit_code, 0) << orders_status.output;
  json st = json::parse(orders_status.output);
  EXPECT_EQ(st["applied"].size(), 1u) << st.dump();
  EXPECT_EQ(st["pending"].size(), 1u) << st.dump();
  EXPECT_TRUE(st["problems"].empty()) << st.dump();
  auto billing_status =
      WithConfig(config, {"--json", "status", "--dir", billing_, "--history", "billing_history"});
  json bt = json::parse(billing_status.output);
  EXPECT_EQ(bt["applied"].size(), 2u) << bt.dump();
  EXPECT_TRUE(bt["problems"].empty()) << bt.dump();
  EXPECT_EQ(
      Scalar("SELECT count(*) FROM mt.orders") + " " + Scalar("SELECT count(*) FROM mt.billing"),
      "0 1");
}

TEST_F(HistoryName, TwoServicesMigrateAtOnceAndOneServicesRunnersStillTakeTurns) {
  ASSERT_EQ(Run({"up", "--dir", orders_, "--history", "orders_history"}).exit_code, 0);
  // Alone in its run, so that its text in pg_stat_activity is short enough to show the sleep.
  // It sleeps until the test opens mt.go: orders' runner holds orders' lease until then,
  // however long the rest takes.
  ASSERT_EQ(Scalar("CREATE TABLE mt.go (x int); SELECT 1"), "1");
  WriteText(orders_ + "/0003_slow.sql",
            "-- pgstack:up\nDO $$ BEGIN WHILE NOT EXISTS (SELECT FROM mt.go) LOOP "
            "PERFORM pg_sleep(0.05); END LOOP; END $$;\n");
  std::string log = dir_ + "/slow.log";
  pid_t slow = Spawn({"up", "--dir", orders_, "--history", "orders_history"}, log);
  AwaitSleep("pg_sleep(0.05)");
  // billing neither waits for it nor is refused.
  auto billing =
      Run({"up", "--dir", billing_, "--history", "billing_history", "--lock-timeout", "1s"});
  EXPECT_EQ(billing.exit_code, 0) << billing.output;
  EXPECT_EQ(Scalar("SELECT count(*) FROM pgstack.billing_history"), "2");
  EXPECT_EQ(WaitExit(slow, std::chrono::milliseconds(0)), kStillRunning)
      << "billing waited for orders' runner";
  // A second runner of orders waits for the first, and gives up after its --lock-timeout.
  auto second =
      Run({"up", "--dir", orders_, "--history", "orders_history", "--lock-timeout", "1s"});
  EXPECT_EQ(second.exit_code, 4) << second.output;
  ASSERT_EQ(Scalar("INSERT INTO mt.go VALUES (1); SELECT 1"), "1");
  EXPECT_EQ(Reap(slow, std::chrono::seconds(60)), 0) << ReadFile(log);
  EXPECT_EQ(Scalar("SELECT count(*) FROM pgstack.orders_history"), "3");
}

TEST_F(HistoryName, ABadNameIsExit2NamingWhereItCameFromAndChangesNothing) {
  for (std::string bad : {"Orders", "orders-history", "1st", "migration_lock"}) {
    auto out = Run({"up", "--dir", orders_, "--history", bad});
    EXPECT_EQ(out.exit_code, 2) << bad << ": " << out.output;
    EXPECT_NE(out.output.find("--history: history name '" + bad + "'"), std::string::npos)
        << out.output;
  }
  std::string path = ConfigWith({{orders_, "select*"}}, "bad.json");
  auto out = WithConfig(path, {"status", "--dir", orders_});
  EXPECT_EQ(out.exit_code, 2) << out.output;
  EXPECT_NE(out.output.find(path + ": migrate.history." + orders_ + ": history name 'select*'"),
            std::string::npos)
      << out.output;
  EXPECT_EQ(Scalar("SELECT to_regnamespace('pgstack') IS NULL"), "t");
  EXPECT_EQ(Scalar("SELECT to_regclass('mt.orders') IS NULL"), "t");
}

}  // namespace
}  // namespace pgstack::testing
