// The one table of settings pgstack writes: PostgreSQL server parameters and PgBouncer
// parameters, each with the plan's value and one line of documentation. It drives config
// parsing (a setting the config leaves out takes the row's default), rendering of the files
// pgstack owns, `verify`'s expected-versus-actual checks, and docs/configuration.md (a unit test
// compares each row with the docs' row for it).
#pragma once

#include <map>
#include <optional>
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
    // The next two are pgstack's to decide, never the config's `settings` (which refuses them).
    kDurability,    // "on" for a durable stack, "off" in test mode ("durability": "off")
    kWithReplicas,  // `value` when the stack has replicas; nothing (the server's default) without
  };
  Kind kind;
  std::string_view value;
};
constexpr SettingDefault PlanValue(std::string_view value) {
  return {SettingDefault::Kind::kValue, value};
}
inline constexpr SettingDefault kApplicationRole{SettingDefault::Kind::kApplicationRole, ""};
inline constexpr SettingDefault kOnlyWhereSet{SettingDefault::Kind::kNone, ""};
inline constexpr SettingDefault kByDurability{SettingDefault::Kind::kDurability, ""};
constexpr SettingDefault WithReplicas(std::string_view value) {
  return {SettingDefault::Kind::kWithReplicas, value};
}

using SettingList = std::vector<std::pair<std::string, std::string>>;  // name, rendered value

// The values a setting takes beyond its type: keywords, or an inclusive range (an integer in its
// own unit; a size in kB). The config refuses anything else, so that a bad value never reaches a
// server or a PgBouncer that would fail to start, or take it and misbehave.
struct Allowed {
  std::span<const std::string_view> choices = {};
  bool ranged = false;
  long long min = 0;
  long long max = 0;
};
constexpr Allowed OneOf(std::span<const std::string_view> choices) { return {choices}; }
constexpr Allowed Between(long long min, long long max) { return {{}, true, min, max}; }

struct SettingSpec {
  std::string_view name;
  Target target;
  SettingType type;
  Apply apply;
  SettingDefault default_value;
  std::string_view doc;  // one line (Markdown) for docs/configuration.md and rendered files
  Allowed allowed = {};  // default: any value of the type
};

// "one of `a`, `b`", "1 to 262143", "128kB to 8TB", or "" when any value of the type goes: what
// docs/configuration.md and the config's errors say of the allowed values.
std::string AllowedValues(const SettingSpec& spec);
// Whether a value, as the config renders it ("256MB", "200", "transaction"), is allowed. A size
// given as a bare number (in the server's unit for it) is left to the server to judge.
bool IsAllowed(const SettingSpec& spec, std::string_view value);

// Every setting, PostgreSQL ones first, each group alphabetical.
std::span<const SettingSpec> AllSettings();
const SettingSpec* FindSetting(Target target, std::string_view name);

// The settings of `target` an environment runs with, in table order: `configured` (name to
// rendered value, names already checked against the table) over each row's default. The rows the
// stack decides are not among them: DecidedSettings gives those.
SettingList EffectiveSettings(Target target, const std::map<std::string, std::string>& configured,
                              std::string_view application_role);

// What decides the rows the config may not set (kDurability, kWithReplicas): the stack.
struct StackShape {
  bool durable = true;    // false in test mode
  bool replicas = false;  // the stack has at least one replica
};
// The rows of `target` that `shape` decides, with their values, in table order; a kWithReplicas
// row is left out of a stack without replicas.
SettingList DecidedSettings(Target target, StackShape shape);
// The rows whose default is of `kind`, in table order.
std::vector<const SettingSpec*> SettingsOfKind(SettingDefault::Kind kind);
// What decides a row the config may not set ("\"durability\"", "the stack's replicas"), for the
// config's error; nullopt for a row the config may set.
std::optional<std::string_view> DecidedBy(const SettingSpec& spec);

// Size settings compare by value: "1GB" == "1024MB". Returns kilobytes, or -1 when not a size.
long long SizeInKb(std::string_view value);
// True when actual (as the server or PgBouncer shows it) means the configured value.
bool SameSettingValue(const SettingSpec& spec, std::string_view configured,
                      std::string_view actual);

}  // namespace pgstack::core
