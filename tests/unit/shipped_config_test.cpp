// config/database.json against the library: every setting value it writes is the settings
// table's default or a per-environment value named here, and the verify limits it writes are
// VerifyConfig's defaults. The file restates them on purpose (the plan wants max_connections,
// shared_buffers, effective_cache_size, log_statement and PgBouncer's pool sizes visible in it);
// this test keeps the two from drifting apart.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>

#include "pgstack/core/config.h"
#include "pgstack/core/files.h"
#include "pgstack/core/settings.h"

namespace pgstack {
namespace {

using nlohmann::json;

json ShippedJson() {
  auto text = core::ReadFileIfExists(std::string(PGSTACK_SOURCE_DIR) + "/config/database.json");
  EXPECT_TRUE(text.ok() && text->has_value());
  return json::parse(text.ok() ? text->value_or("{}") : "{}");
}

// The values that differ from the table on purpose, by (environment, setting).
const std::set<std::pair<std::string, std::string>> kPerEnvironment = {
    {"test", "log_statement"},            // benchmarks would measure logging
    {"production", "log_statement"},      // ddl: an audit trail without the volume
    {"development", "listen_addresses"},  // no default: the local stacks stay on loopback
    {"test", "listen_addresses"},
};

// The value as the config renders it: JSON integers as digits, strings as they are.
std::string Rendered(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// Checks one "settings" object at `where` ("defaults", or an environment's name).
void ExpectTableDefaults(const json& settings, core::Target target, const std::string& where) {
  for (const auto& [name, value] : settings.items()) {
    const core::SettingSpec* spec = core::FindSetting(target, name);
    ASSERT_NE(spec, nullptr) << where << ": " << name;
    if (kPerEnvironment.contains({where, name})) continue;
    ASSERT_EQ(spec->default_value.kind, core::SettingDefault::Kind::kValue)
        << where << ": " << name << " has no default to restate; name it in kPerEnvironment";
    EXPECT_TRUE(core::SameSettingValue(*spec, spec->default_value.value, Rendered(value)))
        << where << ": " << name << " = " << value << ", but the table's default is "
        << spec->default_value.value << " (change the table, or name a deliberate difference)";
  }
}

void ExpectTableDefaultsIn(const json& object, const std::string& where) {
  if (object.contains("postgres") && object["postgres"].contains("settings"))
    ExpectTableDefaults(object["postgres"]["settings"], core::Target::kPostgres, where);
  if (object.contains("pgbouncer") && object["pgbouncer"].contains("settings"))
    ExpectTableDefaults(object["pgbouncer"]["settings"], core::Target::kPgBouncer, where);
}

TEST(ShippedConfig, SettingsItStatesAreTheTablesDefaultsOrNamedDifferences) {
  json file = ShippedJson();
  ASSERT_TRUE(file.contains("defaults"));
  ExpectTableDefaultsIn(file["defaults"], "defaults");
  for (const auto& [name, environment] : file["environments"].items())
    ExpectTableDefaultsIn(environment, name);
  // Each named difference is still one: a stale entry would hide the next drift.
  for (const auto& [where, name] : kPerEnvironment) {
    const json& env = file["environments"][where];
    const char* group = core::FindSetting(core::Target::kPostgres, name) ? "postgres" : "pgbouncer";
    EXPECT_TRUE(env.contains(group) && env[group].contains("settings") &&
                env[group]["settings"].contains(name))
        << where << " no longer sets " << name << ": remove it from kPerEnvironment";
  }
}

TEST(ShippedConfig, VerifyLimitsItStatesAreTheLibrarysDefaults) {
  json file = ShippedJson();
  const core::VerifyConfig library;
  const std::pair<const char*, double> defaults[] = {
      {"jsonb_rows", library.jsonb_rows},
      {"jsonb_max_ms", library.jsonb_max_ms},
      {"jsonb_min_speedup", library.jsonb_min_speedup},
  };
  size_t stated = 0;
  for (const auto& [where, object] : file["environments"].items()) {
    if (!object.contains("verify")) continue;
    for (const auto& [key, value] : defaults) {
      if (!object["verify"].contains(key)) continue;
      ++stated;
      EXPECT_EQ(object["verify"][key].get<double>(), value)
          << where << ": verify." << key << " differs from core::VerifyConfig's default";
    }
  }
  EXPECT_GT(stated, 0u) << "database.json states no verify limit: this test checks nothing";
}

}  // namespace
}  // namespace pgstack
