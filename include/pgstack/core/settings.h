// The one table of settings pgstack writes: PostgreSQL server parameters and PgBouncer
// parameters, each with the plan's value and one line of documentation. It drives config
// parsing (a setting the config leaves out takes the row's default), rendering of the files
// pgstack owns, `verify`'s expected-versus-actual checks, and docs/configuration.md (a unit test
// compares each row with the docs' row for it).
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pgstack/core/status.h"

namespace pgstack::core {

enum class Target { kPostgres, kPgBouncer };
enum class SettingType {
  kInt,     // a JSON integer
  kSize,    // "256MB" or an integer (PostgreSQL's unit for the setting)
  kBool,    // a JSON boolean
  kString,  // any JSON string
};
enum class Apply { kReload, kRestart };

// What an environment gets when its config leaves a setting out.
struct SettingDefault {
  enum class Kind {
    kValue,            // `value`, as the config would write it ("256MB", "200", "transaction")
    kApplicationRole,  // the environment's postgres.user
    kNone,             // nothing: pgstack writes the setting only where the config sets it
  };
  Kind kind;
  std::string_view value;
};
constexpr SettingDefault PlanValue(std::string_view value) {
  return {SettingDefault::Kind::kValue, value};
}
inline constexpr SettingDefault kApplicationRole{SettingDefault::Kind::kApplicationRole, ""};
inline constexpr SettingDefault kOnlyWhereSet{SettingDefault::Kind::kNone, ""};

using SettingList = std::vector<std::pair<std::string, std::string>>;  // name, rendered value

struct SettingSpec {
  std::string_view name;
  Target target;
  SettingType type;
  Apply apply;
  SettingDefault default_value;
  std::string_view doc;  // one line (Markdown) for docs/configuration.md and rendered files
  // For a string that must be one keyword: the keywords; empty: any string. The config refuses
  // anything else, so a typo never reaches a PgBouncer that would only fail to start.
  std::span<const std::string_view> choices = {};
};

// Every setting, PostgreSQL ones first, each group alphabetical.
std::span<const SettingSpec> AllSettings();
const SettingSpec* FindSetting(Target target, std::string_view name);

// The settings of `target` an environment runs with, in table order: `configured` (name to
// rendered value, names already checked against the table) over each row's default.
SettingList EffectiveSettings(Target target, const std::map<std::string, std::string>& configured,
                              std::string_view application_role);

// Size settings compare by value: "1GB" == "1024MB". Returns kilobytes, or -1 when not a size.
long long SizeInKb(std::string_view value);
// True when actual (as the server or PgBouncer shows it) means the configured value.
bool SameSettingValue(const SettingSpec& spec, std::string_view configured,
                      std::string_view actual);

}  // namespace pgstack::core
