#include "pgstack/core/settings.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace pgstack::core {
namespace {

using enum Target;
using enum SettingType;
using enum Apply;

// The plan's values. A row is all it takes to add a setting: the parser accepts it, a config
// that leaves it out gets the default, pgstack.conf or PgBouncer's settings block (under `doc`
// as a comment) renders it, and `verify` compares it with what the server shows. A row whose
// default names what decides it (kByDurability, WithReplicas) is pgstack's own: the config
// refuses it, and `up` renders it from the stack's shape.
constexpr std::string_view kPoolModes[] = {"session", "transaction", "statement"};
constexpr std::string_view kLogStatement[] = {"none", "ddl", "mod", "all"};
// md5 is replayable and PostgreSQL 17 deprecates it; pgstack's verifiers are SCRAM.
constexpr std::string_view kScramOnly[] = {"scram-sha-256"};
constexpr long long kKb = 1, kMb = 1024 * kKb, kGb = 1024 * kMb, kTb = 1024 * kGb;
constexpr long long kDay = 24LL * 3600;
// PgBouncer's counts: a pool or limit beyond this is a typo, not a plan.
constexpr long long kMaxCount = 100000;

constexpr SettingSpec kSettings[] = {
    // PostgreSQL (postgresql.conf names).
    {"effective_cache_size", kPostgres, kSize, kReload, PlanValue("1GB"),
     "the planner's estimate of the OS cache: favours index scans", Between(8 * kKb, 16 * kTb)},
    {"fsync", kPostgres, kBool, kReload, kByDurability,
     "changes reach the disk (`fsync()`); off, a crash of the server or the machine may corrupt "
     "the cluster"},
    {"full_page_writes", kPostgres, kBool, kReload, kByDurability,
     "a page's first change after a checkpoint logs the whole page, so that a torn write can be "
     "repaired"},
    {"listen_addresses", kPostgres, kString, kRestart, kOnlyWhereSet,
     "the local environments set `127.0.0.1` (loopback only); a wider value also adds a SCRAM "
     "`host all all all` rule to pg_hba"},
    {"log_statement", kPostgres, kString, kReload, PlanValue("all"),
     "development logs every statement for debugging; test sets `none` and production `ddl`, "
     "as benchmarks would measure logging",
     OneOf(kLogStatement)},
    {"max_connections", kPostgres, kInt, kRestart, PlanValue("200"),
     "the plan's ceiling of server connections; PgBouncer keeps real use near "
     "`default_pool_size`",
     Between(1, 262143)},
    {"max_slot_wal_keep_size", kPostgres, kSize, kReload, WithReplicas("1GB"),
     "a replica that is down keeps at most this much WAL in its slot, so that it cannot fill the "
     "disk; past it, its slot is invalidated and the next `pgstack up` rebuilds the replica"},
    {"password_encryption", kPostgres, kString, kReload, PlanValue("scram-sha-256"),
     "passwords are stored and checked as SCRAM verifiers", OneOf(kScramOnly)},
    {"shared_buffers", kPostgres, kSize, kRestart, PlanValue("256MB"),
     "PostgreSQL's own page cache", Between(128 * kKb, 8 * kTb)},
    {"synchronous_commit", kPostgres, kString, kReload, kByDurability,
     "a commit returns once its WAL is on disk; off, a crash loses the last commits"},
    // PgBouncer (pgbouncer.ini names).
    {"admin_users", kPgBouncer, kString, kReload, kApplicationRole,
     "may use the admin console (`RELOAD`, `SHOW`)"},
    {"default_pool_size", kPgBouncer, kInt, kReload, PlanValue("20"),
     "server connections per (user, database) pair", Between(1, kMaxCount)},
    {"max_client_conn", kPgBouncer, kInt, kRestart, PlanValue("200"),
     "client connections PgBouncer accepts", Between(1, kMaxCount)},
    {"max_db_connections", kPgBouncer, kInt, kReload, PlanValue("50"),
     "server connections per database across pools", Between(0, kMaxCount)},
    {"max_user_connections", kPgBouncer, kInt, kReload, PlanValue("50"),
     "server connections per user across pools", Between(0, kMaxCount)},
    {"min_pool_size", kPgBouncer, kInt, kReload, PlanValue("5"),
     "server connections kept open when idle (opened once a client has logged in, as SCRAM "
     "pass-through needs the client's proof)",
     Between(0, kMaxCount)},
    {"pool_mode", kPgBouncer, kString, kReload, PlanValue("transaction"),
     "a server connection serves one transaction, then returns to the pool", OneOf(kPoolModes)},
    {"query_wait_timeout", kPgBouncer, kInt, kReload, PlanValue("120"),
     "seconds a client may wait for a server connection", Between(0, kDay)},
    {"reserve_pool_size", kPgBouncer, kInt, kReload, PlanValue("5"),
     "extra server connections when clients have waited `reserve_pool_timeout`",
     Between(0, kMaxCount)},
    {"reserve_pool_timeout", kPgBouncer, kInt, kReload, PlanValue("5"),
     "seconds before the reserve pool is used", Between(0, kDay)},
    {"server_check_delay", kPgBouncer, kInt, kReload, PlanValue("30"),
     "seconds an idle server connection may go unchecked", Between(0, kDay)},
    {"server_check_query", kPgBouncer, kString, kReload, PlanValue("select 1"),
     "the query that checks an idle server connection"},
    {"server_idle_timeout", kPgBouncer, kInt, kReload, PlanValue("600"),
     "seconds before an idle server connection is closed", Between(0, 365 * kDay)},
    {"server_lifetime", kPgBouncer, kInt, kReload, PlanValue("3600"),
     "seconds before a server connection is recycled", Between(0, 365 * kDay)},
    {"server_reset_query", kPgBouncer, kString, kReload, PlanValue("DISCARD ALL"),
     "cleans a server connection in session mode (transaction mode does not run it)"},
    {"stats_users", kPgBouncer, kString, kReload, kApplicationRole,
     "may read `SHOW POOLS`, `SHOW STATS`"},
};

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace

std::span<const SettingSpec> AllSettings() { return kSettings; }

const SettingSpec* FindSetting(Target target, std::string_view name) {
  for (const auto& s : kSettings) {
    if (s.target == target && s.name == name) return &s;
  }
  return nullptr;
}

SettingList EffectiveSettings(Target target, const std::map<std::string, std::string>& configured,
                              std::string_view application_role) {
  SettingList out;
  for (const auto& s : kSettings) {
    if (s.target != target) continue;
    std::string name(s.name);
    if (auto it = configured.find(name); it != configured.end()) {
      out.emplace_back(name, it->second);
      continue;
    }
    switch (s.default_value.kind) {
      case SettingDefault::Kind::kValue:
        out.emplace_back(name, std::string(s.default_value.value));
        break;
      case SettingDefault::Kind::kApplicationRole:
        out.emplace_back(name, std::string(application_role));
        break;
      case SettingDefault::Kind::kNone:
      case SettingDefault::Kind::kDurability:
      case SettingDefault::Kind::kWithReplicas:
        break;
    }
  }
  return out;
}

SettingList DecidedSettings(Target target, StackShape shape) {
  SettingList out;
  for (const auto& s : kSettings) {
    if (s.target != target) continue;
    if (s.default_value.kind == SettingDefault::Kind::kDurability)
      out.emplace_back(s.name, shape.durable ? "on" : "off");
    if (s.default_value.kind == SettingDefault::Kind::kWithReplicas && shape.replicas)
      out.emplace_back(s.name, s.default_value.value);
  }
  return out;
}

std::vector<const SettingSpec*> SettingsOfKind(SettingDefault::Kind kind) {
  std::vector<const SettingSpec*> out;
  for (const auto& s : kSettings) {
    if (s.default_value.kind == kind) out.push_back(&s);
  }
  return out;
}

std::optional<std::string_view> DecidedBy(const SettingSpec& spec) {
  switch (spec.default_value.kind) {
    case SettingDefault::Kind::kDurability:
      return "\"durability\"";
    case SettingDefault::Kind::kWithReplicas:
      return "the stack's replicas (replication.replicas, up --replicas)";
    default:
      return std::nullopt;
  }
}

namespace {

// 8TB, 256MB, 128kB: the largest unit that divides it.
std::string FormatKb(long long kb) {
  for (auto [unit, name] : {std::pair{kTb, "TB"}, std::pair{kGb, "GB"}, std::pair{kMb, "MB"}}) {
    if (kb % unit == 0) return std::to_string(kb / unit) + name;
  }
  return std::to_string(kb) + "kB";
}

}  // namespace

std::string AllowedValues(const SettingSpec& spec) {
  const Allowed& a = spec.allowed;
  if (!a.choices.empty()) {
    std::string out = "one of ";
    for (size_t i = 0; i < a.choices.size(); ++i)
      out += (i ? ", `" : "`") + std::string(a.choices[i]) + "`";
    return out;
  }
  if (!a.ranged) return "";
  if (spec.type == kSize) return FormatKb(a.min) + " to " + FormatKb(a.max);
  return std::to_string(a.min) + " to " + std::to_string(a.max);
}

bool IsAllowed(const SettingSpec& spec, std::string_view value) {
  const Allowed& a = spec.allowed;
  if (!a.choices.empty())
    return std::find(a.choices.begin(), a.choices.end(), value) != a.choices.end();
  if (!a.ranged) return true;
  long long n = 0;
  if (spec.type == kSize) {
    n = SizeInKb(value);
    if (n < 0) return true;
  } else {
    char* end = nullptr;
    std::string v(value);
    errno = 0;
    n = std::strtoll(v.c_str(), &end, 10);
    if (*end != '\0' || errno == ERANGE) return false;
  }
  return n >= a.min && n <= a.max;
}

long long SizeInKb(std::string_view v) {
  size_t i = 0;
  while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) ++i;
  if (i == 0 || i > 12) return -1;  // more digits than any size, and atoll would overflow
  long long n = std::atoll(std::string(v.substr(0, i)).c_str());
  std::string unit = Lower(v.substr(i));
  if (unit == "kb") return n;
  if (unit == "mb") return n * 1024;
  if (unit == "gb") return n * 1024 * 1024;
  if (unit == "tb") return n * 1024 * 1024 * 1024;
  // A bare number is in the setting's own unit, which `SHOW` never prints without a suffix.
  if (unit.empty()) return -1;
  return -1;
}

bool SameSettingValue(const SettingSpec& spec, std::string_view configured,
                      std::string_view actual) {
  if (spec.type == SettingType::kSize) {
    long long a = SizeInKb(configured), b = SizeInKb(actual);
    if (a >= 0 && b >= 0) return a == b;
  }
  if (spec.type == SettingType::kBool) {
    auto norm = [](std::string_view s) {
      std::string l = Lower(s);
      return l == "on" || l == "true" || l == "1" || l == "yes";
    };
    return norm(configured) == norm(actual);
  }
  return Lower(configured) == Lower(actual);
}

}  // namespace pgstack::core
