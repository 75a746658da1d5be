#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "pgstack/migrate/history_name.h"

namespace pgstack::migrate {
namespace {

TEST(HistoryName, TheDefaultKeepsItsTableAndLeaseRow) {
  auto h = HistoryNamed(kDefaultHistory);
  ASSERT_TRUE(h.ok()) << h.status().message();
  EXPECT_EQ(h->table, "pgstack.\"schema_history\"");
  EXPECT_EQ(h->lease_table, "pgstack.migration_lock");
  EXPECT_EQ(h->lease_key, "id = 1");
}

TEST(HistoryName, OtherNamesHaveTheirOwnTableAndLeaseRow) {
  auto h = HistoryNamed("order");  // a keyword: quoted, it is a table name all the same
  ASSERT_TRUE(h.ok()) << h.status().message();
  EXPECT_EQ(h->table, "pgstack.\"order\"");
  EXPECT_EQ(h->lease_table, "pgstack.history_lease");
  EXPECT_EQ(h->lease_key, "history = 'order'");
  EXPECT_TRUE(HistoryNamed("_svc2_history").ok());
  EXPECT_TRUE(HistoryNamed(std::string(63, 'a')).ok());
}

TEST(HistoryName, RefusesWhatIsNotAPlainIdentifierOrIsPgstacksOwn) {
  const std::vector<std::string> refused = {"",
                                            "Orders",
                                            "orders-history",
                                            "1st",
                                            "a b",
                                            "x\"y",
                                            "o'k",
                                            "é",
                                            "migration_lock",
                                            "history_lease",
                                            std::string(64, 'a')};
  for (const std::string& bad : refused) {
    auto h = HistoryNamed(bad);
    ASSERT_FALSE(h.ok()) << bad;
    EXPECT_EQ(h.status().code(), Code::kInvalidInput) << bad;
    EXPECT_NE(h.status().message().find("history name '" + bad + "'"), std::string::npos)
        << h.status().message();
  }
}

TEST(HistoryName, TheConfigNamesADirectoryHoweverItIsSpelled) {
  std::string dir = ::testing::TempDir() + "history_name_dir";
  std::filesystem::create_directories(dir);
  core::MigrateConfig config;
  config.history[dir + "/"] = "svc_history";
  auto name = ConfigHistoryName(config, "c.json", dir + "/.");
  ASSERT_TRUE(name.ok()) << name.status().message();
  EXPECT_EQ(*name, "svc_history");
  EXPECT_EQ(*ConfigHistoryName(config, "c.json", dir + "/elsewhere"), kDefaultHistory);
  config.history[dir + "/"] = "Svc";
  auto bad = ConfigHistoryName(config, "c.json", dir);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidInput);
  EXPECT_EQ(
      bad.status().message().rfind("c.json: migrate.history." + dir + "/: history name 'Svc'", 0),
      0u)
      << bad.status().message();
}

}  // namespace
}  // namespace pgstack::migrate
