// The one table of settings pgstack writes: PostgreSQL server parameters and PgBouncer
// parameters. It drives config validation, rendering of the files pgstack owns, `verify`'s
// expected-versus-actual checks, and docs/configuration.md (a test checks every row is there).
#pragma once

#include <span>
#include <string>
#include <string_view>

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

struct SettingSpec {
  std::string_view name;
  Target target;
  SettingType type;
  Apply apply;
  std::string_view why;  // one line for the docs and for `verify` details
};

// Every setting, PostgreSQL ones first, each group alphabetical.
std::span<const SettingSpec> AllSettings();
const SettingSpec* FindSetting(Target target, std::string_view name);

// Size settings compare by value: "1GB" == "1024MB". Returns kilobytes, or -1 when not a size.
long long SizeInKb(std::string_view value);
// True when actual (as the server or PgBouncer shows it) means the configured value.
bool SameSettingValue(const SettingSpec& spec, std::string_view configured,
                      std::string_view actual);

}  // namespace pgstack::core
