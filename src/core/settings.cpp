#include "pgstack/core/settings.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace pgstack::core {
namespace {

using enum Target;
using enum SettingType;
using enum Apply;

constexpr SettingSpec kSettings[] = {
    // PostgreSQL (postgresql.conf names; see docs/configuration.md).
    {"effective_cache_size", kPostgres, kSize, kReload,
     "planner's estimate of the OS cache; the plan sets 1GB"},
    {"listen_addresses", kPostgres, kString, kRestart,
     "loopback by default: the server is reachable only from this machine"},
    {"log_statement", kPostgres, kString, kReload,
     "'all' in development so every statement is logged; 'ddl' or 'none' elsewhere"},
    {"max_connections", kPostgres, kInt, kRestart,
     "the plan's 200 server connections; PgBouncer keeps actual use far below"},
    {"password_encryption", kPostgres, kString, kReload,
     "scram-sha-256: passwords are stored and checked as SCRAM verifiers"},
    {"shared_buffers", kPostgres, kSize, kRestart, "the plan's 256MB of shared buffer cache"},
    // PgBouncer (pgbouncer.ini names).
    {"admin_users", kPgBouncer, kString, kReload, "roles allowed the admin console (RELOAD, ...)"},
    {"default_pool_size", kPgBouncer, kInt, kReload, "server connections per user/database pair"},
    {"max_client_conn", kPgBouncer, kInt, kRestart, "client connections PgBouncer accepts"},
    {"max_db_connections", kPgBouncer, kInt, kReload, "server connections per database, all pools"},
    {"max_user_connections", kPgBouncer, kInt, kReload, "server connections per user, all pools"},
    {"min_pool_size", kPgBouncer, kInt, kReload, "server connections kept open when idle"},
    {"pool_mode", kPgBouncer, kString, kReload,
     "transaction: a server connection is lent for one transaction"},
    {"query_wait_timeout", kPgBouncer, kInt, kReload,
     "seconds a client may wait for a server connection before an error"},
    {"reserve_pool_size", kPgBouncer, kInt, kReload, "extra connections when clients wait"},
    {"reserve_pool_timeout", kPgBouncer, kInt, kReload,
     "seconds a client waits before the reserve pool is used"},
    {"server_check_delay", kPgBouncer, kInt, kReload,
     "seconds an idle server connection may go unchecked"},
    {"server_check_query", kPgBouncer, kString, kReload, "query that checks an idle server connection"},
    {"server_idle_timeout", kPgBouncer, kInt, kReload, "seconds before an idle server connection closes"},
    {"server_lifetime", kPgBouncer, kInt, kReload, "seconds before a server connection is recycled"},
    {"server_reset_query", kPgBouncer, kString, kReload,
     "run when a server connection returns to the pool (session mode only)"},
    {"stats_users", kPgBouncer, kString, kReload, "roles allowed SHOW POOLS / SHOW STATS"},
};

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
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

long long SizeInKb(std::string_view v) {
  size_t i = 0;
  while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) ++i;
  if (i == 0) return -1;
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
