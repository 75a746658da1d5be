// The check table and --check selection.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>

#include "pgstack/core/files.h"
#include "pgstack/verify/check.h"

namespace pgstack::verify {
namespace {

std::vector<std::string> Ids(const std::vector<const CheckSpec*>& checks) {
  std::vector<std::string> out;
  for (const CheckSpec* c : checks) out.emplace_back(c->id);
  return out;
}

TEST(VerifyTable, IdsAreUniqueGroupDotNameAndEveryRowIsComplete) {
  std::set<std::string_view> seen;
  std::regex shape("^(postgres|jsonb|pgbouncer|security|replication|schema)\\.[a-z_]+$");
  for (const CheckSpec& c : AllChecks()) {
    EXPECT_TRUE(seen.insert(c.id).second) << c.id;
    EXPECT_TRUE(std::regex_match(std::string(c.id), shape)) << c.id;
    EXPECT_FALSE(c.proves.empty()) << c.id;
    EXPECT_FALSE(c.fix.empty()) << c.id;
    EXPECT_NE(c.run, nullptr) << c.id;
  }
  EXPECT_GE(seen.size(), 12u);
}

TEST(VerifyTable, EveryCheckIsDocumented) {
  // docs/verify.md is the reference for the ids; a new row without a doc row fails here.
  auto doc = std::filesystem::path(PGSTACK_SOURCE_DIR) / "docs/verify.md";
  auto text = core::ReadFileIfExists(doc.string());
  ASSERT_TRUE(text.ok() && *text) << doc;
  for (const CheckSpec& c : AllChecks()) {
    EXPECT_NE((*text)->find("| `" + std::string(c.id) + "` |"), std::string::npos) << c.id;
  }
}

TEST(VerifySelect, NothingSelectsEverythingButOnRequestChecksInTableOrder) {
  auto all = SelectChecks({});
  ASSERT_TRUE(all.ok());
  std::vector<const CheckSpec*> want;
  for (const CheckSpec& c : AllChecks()) {
    if (!c.on_request) want.push_back(&c);
  }
  EXPECT_EQ(*all, want);
  EXPECT_GE(want.size(), AllChecks().size() - 1);
  // An on-request check runs when named, by id or by group.
  EXPECT_EQ(Ids(*SelectChecks({"schema.drift"})), std::vector<std::string>{"schema.drift"});
  EXPECT_EQ(Ids(*SelectChecks({"schema"})), std::vector<std::string>{"schema.drift"});
}

TEST(VerifySelect, IdsAndGroupsInTableOrderEachOnce) {
  auto some = SelectChecks({"security.scram", "postgres.version", "postgres.version"});
  ASSERT_TRUE(some.ok());
  EXPECT_EQ(Ids(*some), (std::vector<std::string>{"postgres.version", "security.scram"}));

  auto group = SelectChecks({"pgbouncer", "pgbouncer.config"});
  ASSERT_TRUE(group.ok());
  ASSERT_FALSE(group->empty());
  for (const CheckSpec* c : *group) EXPECT_EQ(c->id.substr(0, 10), "pgbouncer.");
  size_t in_table = 0;
  for (const CheckSpec& c : AllChecks()) in_table += c.id.starts_with("pgbouncer.");
  EXPECT_EQ(group->size(), in_table);
}

TEST(VerifySelect, UnknownNameIsBadUsageNamingItWithTheList) {
  auto bad = SelectChecks({"postgres.version", "versoin"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidInput);
  EXPECT_EQ(bad.status().exit_code(), 2);
  const std::string& msg = bad.status().message();
  EXPECT_NE(msg.find("'versoin'"), std::string::npos) << msg;
  for (const CheckSpec& c : AllChecks()) EXPECT_NE(msg.find(c.id), std::string::npos) << c.id;
}

TEST(VerifySelect, APartOfAnIdSuggestsIt) {
  auto bad = SelectChecks({"gin_index"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("did you mean 'jsonb.gin_index'"), std::string::npos)
      << bad.status().message();
  // A prefix of a group is not a group.
  EXPECT_FALSE(SelectChecks({"pgb"}).ok());
}

}  // namespace
}  // namespace pgstack::verify
