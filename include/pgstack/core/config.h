// config/database.json: named environments, each describing one stack. An environment is built
// in layers: the settings table's defaults (the plan's values), then the file's top-level
// "defaults" object, then the environment's own keys; objects merge key by key, any other value
// replaces the one below. Passwords are never in the file: it names the environment variable
// that holds each. Unknown keys and wrong types are errors naming the file and the JSON path of
// the layer they are in; JSON syntax errors name line and column.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pgstack/core/settings.h"
#include "pgstack/core/status.h"

namespace pgstack::core {

enum class Mode { kLocal, kExternal };

struct PostgresConfig {
  std::string host = "127.0.0.1";
  int port = 5432;
  std::string database;
  std::string user;
  std::string password_env;                         // variable holding the role's password
  std::string admin_url_env = "PGSTACK_ADMIN_URL";  // external mode: the administrator's URL
  std::string password;  // resolved from the environment (may stay empty in local mode)
  std::vector<std::string> extensions;
  SettingList settings;  // effective values, in the order of AllSettings() (Target::kPostgres)
};

struct PgBouncerConfig {
  std::string listen_addr = "127.0.0.1";
  int port = 6432;
  SettingList settings;  // effective values, in the order of AllSettings() (Target::kPgBouncer)
};

// Thresholds of `verify`'s JSONB performance check.
struct VerifyConfig {
  int jsonb_rows = 20000;          // rows in the measured table
  double jsonb_max_ms = 25.0;      // the indexed containment query must stay under this
  double jsonb_min_speedup = 5.0;  // and beat the sequential scan by this factor
};

// What `pgstack migrate` takes from the config ("migrate" object).
struct MigrateConfig {
  // Flyway's user placeholders: ${name} in a Flyway script becomes the value. Names are matched
  // without regard to case, as Flyway does (stored lower-cased).
  std::map<std::string, std::string> flyway_placeholders;
  // Lint rules switched off per migrations directory (as given: "database/migrations"), as a
  // directory's .pgstack-lint file does. Rule names are checked by lint, which knows them.
  std::map<std::string, std::vector<std::string>> lint_disable;
  // The history each migrations directory keeps (as given: "database/migrations"), when not the
  // default one: a table name in schema pgstack. Names are checked by migrate, which knows them.
  std::map<std::string, std::string> history;
};

// Hot standbys of a local stack ("replication" object; docs/operations.md).
struct ReplicationConfig {
  static constexpr int kMaxReplicas = 8;
  // nullopt: as many as the stack has (`up --replicas N` changes that).
  std::optional<int> replicas;
  long long max_lag_bytes = 16LL * 1024 * 1024;  // verify's replication.lag fails above it
};

struct Environment {
  std::string name;
  std::string file;  // the config file it came from, for messages
  Mode mode = Mode::kLocal;
  PostgresConfig postgres;
  PgBouncerConfig pgbouncer;
  VerifyConfig verify;
  MigrateConfig migrate;
  ReplicationConfig replication;
  // "durability": "off" (test mode): PostgreSQL runs with fsync, synchronous_commit and
  // full_page_writes off, as throwaway CI servers do. A crash may lose or corrupt the data.
  // Local mode only: the parser refuses it for an external server.
  bool durable = true;

  // The value a setting has in this environment (the config's, else the table's default), or
  // nullopt for a setting written only where the config sets it.
  std::optional<std::string> setting(const std::string& name) const;
};

// Looks up an environment variable; tests pass a fake.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup ProcessEnv();

// Reads `file` and returns environment `name` as the file says, without looking at the process
// environment (location::LoadEnvironment applies its overrides and passwords).
Result<Environment> LoadEnvironment(const std::string& file, const std::string& name);
// The names of the environments `file` holds, in its order.
Result<std::vector<std::string>> EnvironmentNames(const std::string& file);
// The same from text already read; `file` only names it in messages.
Result<Environment> ParseEnvironment(const std::string& text, const std::string& file,
                                     const std::string& name);
// Several environments of one text, parsed once (the fuzz target reads four per input): one
// result per name, in order; a text that is not valid JSON fails them all alike.
std::vector<Result<Environment>> ParseEnvironments(const std::string& text, const std::string& file,
                                                   const std::vector<std::string>& names);

}  // namespace pgstack::core
