// The settings table: its defaults are valid values, each row has its own row in
// docs/configuration.md saying the same, and values compare as the server shows them.
#include "pgstack/core/settings.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <vector>

namespace pgstack {
namespace {

std::string ReadDocs() {
  std::ifstream in(std::string(PGSTACK_SOURCE_DIR) + "/docs/configuration.md");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string TypeCell(const core::SettingSpec& s) {
  std::string allowed = core::AllowedValues(s);
  if (!s.allowed.choices.empty()) return allowed;
  std::string type = "?";
  switch (s.type) {
    case core::SettingType::kInt:
      type = "integer";
      break;
    case core::SettingType::kSize:
      type = "size";
      break;
    case core::SettingType::kBool:
      type = "boolean";
      break;
    case core::SettingType::kString:
      type = "string";
      break;
  }
  return allowed.empty() ? type : type + ", " + allowed;
}

std::string DefaultCell(const core::SettingDefault& d) {
  switch (d.kind) {
    case core::SettingDefault::Kind::kValue:
      return fmt::format("`{}`", d.value);
    case core::SettingDefault::Kind::kApplicationRole:
      return "the application role (`postgres.user`)";
    case core::SettingDefault::Kind::kNone:
      return "none: written only where set";
    case core::SettingDefault::Kind::kDurability:
      return "`on` (`off` in test mode); pgstack's, from `durability`";
    case core::SettingDefault::Kind::kWithReplicas:
      return fmt::format("`{}` with replicas, else none; pgstack's, from the replicas", d.value);
  }
  return "?";
}

// The docs row a table row stands for, exactly as docs/configuration.md must have it.
std::string DocsRow(const core::SettingSpec& s) {
  return fmt::format("| `{}` | {} | {} | {} | {} |", s.name, TypeCell(s),
                     DefaultCell(s.default_value),
                     s.apply == core::Apply::kRestart ? "restart" : "reload", s.doc);
}

// The "| `name` | ..." rows of each settings subsection of the docs, by target and name.
std::map<std::pair<core::Target, std::string>, std::vector<std::string>> DocsRows(
    const std::string& docs) {
  std::map<std::pair<core::Target, std::string>, std::vector<std::string>> rows;
  std::optional<core::Target> section;
  std::istringstream in(docs);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("#")) section.reset();
    if (line == "### PostgreSQL") section = core::Target::kPostgres;
    if (line == "### PgBouncer") section = core::Target::kPgBouncer;
    if (!section || !line.starts_with("| `")) continue;
    size_t end = line.find('`', 3);
    rows[{*section, line.substr(3, end - 3)}].push_back(line);
  }
  return rows;
}

TEST(Settings, EachHasItsOwnRowInTheDocs) {
  auto rows = DocsRows(ReadDocs());
  ASSERT_FALSE(rows.empty()) << "no settings rows under ### PostgreSQL / ### PgBouncer";
  for (const auto& s : core::AllSettings()) {
    auto it = rows.find({s.target, std::string(s.name)});
    if (it == rows.end()) {
      ADD_FAILURE() << s.name << ": no row in docs/configuration.md; add\n" << DocsRow(s);
      continue;
    }
    EXPECT_EQ(it->second.size(), 1u) << s.name << ": more than one row in the docs";
    EXPECT_EQ(it->second.front(), DocsRow(s)) << s.name << ": the docs row differs from the table";
    rows.erase(it);
  }
  for (const auto& [key, lines] : rows) ADD_FAILURE() << "a docs row for no setting: " << lines[0];
}

TEST(Settings, DefaultsAreValidValuesOfTheirType) {
  for (const auto& s : core::AllSettings()) {
    if (s.default_value.kind != core::SettingDefault::Kind::kValue) continue;
    std::string_view v = s.default_value.value;
    ASSERT_FALSE(v.empty()) << s.name;
    switch (s.type) {
      case core::SettingType::kInt:
        EXPECT_EQ(v.find_first_not_of("0123456789"), std::string_view::npos) << s.name;
        break;
      case core::SettingType::kSize:
        EXPECT_GE(core::SizeInKb(v), 0) << s.name;
        break;
      case core::SettingType::kBool:
        EXPECT_TRUE(v == "on" || v == "off") << s.name;
        break;
      case core::SettingType::kString:
        EXPECT_EQ(v.find_first_of("'\n\r"), std::string_view::npos) << s.name;
        break;
    }
    EXPECT_TRUE(core::IsAllowed(s, v)) << s.name << ": " << v;
  }
}

// Each row carries the values its setting may take; the config checks them at load (the values
// the issue found getting through: each failed only at pg_ctl start, or not at all).
TEST(Settings, RowsCarryTheirRanges) {
  struct Case {
    core::Target target;
    const char* name;
    const char* value;
    bool allowed;
  } cases[] = {
      {core::Target::kPostgres, "max_connections", "0", false},
      {core::Target::kPostgres, "max_connections", "-5", false},
      {core::Target::kPostgres, "max_connections", "300000", false},
      {core::Target::kPostgres, "max_connections", "262143", true},
      {core::Target::kPostgres, "log_statement", "everything", false},
      {core::Target::kPostgres, "log_statement", "ddl", true},
      {core::Target::kPostgres, "shared_buffers", "900TB", false},
      {core::Target::kPostgres, "shared_buffers", "64kB", false},
      {core::Target::kPostgres, "shared_buffers", "1GB", true},
      {core::Target::kPostgres, "password_encryption", "md5", false},
      {core::Target::kPgBouncer, "default_pool_size", "-3", false},
      {core::Target::kPgBouncer, "max_client_conn", "0", false},
      {core::Target::kPgBouncer, "max_db_connections", "0", true},
      {core::Target::kPgBouncer, "pool_mode", "bogus", false},
  };
  for (const auto& c : cases) {
    const core::SettingSpec* spec = core::FindSetting(c.target, c.name);
    ASSERT_NE(spec, nullptr) << c.name;
    EXPECT_EQ(core::IsAllowed(*spec, c.value), c.allowed) << c.name << " = " << c.value;
  }
  EXPECT_EQ(core::AllowedValues(*core::FindSetting(core::Target::kPostgres, "shared_buffers")),
            "128kB to 8TB");
}

TEST(Settings, EffectiveAreConfiguredOverDefaultsInTableOrder) {
  auto pg = core::EffectiveSettings(core::Target::kPostgres, {{"max_connections", "300"}}, "app");
  core::SettingList want = {{"effective_cache_size", "1GB"},
                            {"log_statement", "all"},
                            {"max_connections", "300"},
                            {"password_encryption", "scram-sha-256"},
                            {"shared_buffers", "256MB"}};
  EXPECT_EQ(pg, want);  // listen_addresses has no default: written only where configured
  auto bouncer = core::EffectiveSettings(core::Target::kPgBouncer, {}, "app");
  std::map<std::string, std::string> by_name(bouncer.begin(), bouncer.end());
  EXPECT_EQ(by_name["pool_mode"], "transaction");
  EXPECT_EQ(by_name["admin_users"], "app");
  EXPECT_EQ(by_name["stats_users"], "app");
  size_t rows = 0;  // every PgBouncer row has a default
  for (const auto& s : core::AllSettings()) rows += s.target == core::Target::kPgBouncer;
  EXPECT_EQ(bouncer.size(), rows);
}

// The rows pgstack decides come from the stack's shape, never from the config's settings.
TEST(Settings, DecidedRowsFollowDurabilityAndReplicas) {
  core::SettingList durable = {
      {"fsync", "on"}, {"full_page_writes", "on"}, {"synchronous_commit", "on"}};
  EXPECT_EQ(core::DecidedSettings(core::Target::kPostgres, {.durable = true, .replicas = false}),
            durable);
  core::SettingList test_mode = {{"fsync", "off"},
                                 {"full_page_writes", "off"},
                                 {"max_slot_wal_keep_size", "1GB"},
                                 {"synchronous_commit", "off"}};
  EXPECT_EQ(core::DecidedSettings(core::Target::kPostgres, {.durable = false, .replicas = true}),
            test_mode);
  EXPECT_TRUE(core::DecidedSettings(core::Target::kPgBouncer, {.replicas = true}).empty());
  for (const auto& s : core::AllSettings()) {
    bool decided = s.default_value.kind == core::SettingDefault::Kind::kDurability ||
                   s.default_value.kind == core::SettingDefault::Kind::kWithReplicas;
    EXPECT_EQ(core::DecidedBy(s).has_value(), decided) << s.name;
  }
  auto configured = core::EffectiveSettings(core::Target::kPostgres, {}, "app");
  for (const auto& [name, value] : configured) EXPECT_NE(name, "fsync");
}

TEST(Settings, SizesCompareByValue) {
  const core::SettingSpec* sb = core::FindSetting(core::Target::kPostgres, "effective_cache_size");
  ASSERT_NE(sb, nullptr);
  EXPECT_TRUE(core::SameSettingValue(*sb, "1GB", "1024MB"));
  EXPECT_FALSE(core::SameSettingValue(*sb, "1GB", "512MB"));
  const core::SettingSpec* ls = core::FindSetting(core::Target::kPostgres, "log_statement");
  EXPECT_TRUE(core::SameSettingValue(*ls, "all", "ALL"));
  EXPECT_EQ(core::FindSetting(core::Target::kPgBouncer, "max_connections"), nullptr);
}

}  // namespace
}  // namespace pgstack
