// How commands reach a stack, and the password a local stack keeps.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "internal.h"
#include "pgstack/files.h"

namespace pgstack::stack {

Result<std::optional<std::string>> ReadCredentials(const StatePaths& paths) {
  PGSTACK_ASSIGN_OR_RETURN(auto text, ReadFileIfExists(paths.credentials));
  if (!text) return std::optional<std::string>();
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.contains("password") || !j["password"].is_string())
    return Status::Failure(paths.credentials + ": damaged (delete it and run pgstack up)");
  return std::optional<std::string>(j["password"].get<std::string>());
}

Status WriteCredentials(const StatePaths& paths, const std::string& password) {
  nlohmann::json j = {{"password", password}};
  return WriteFileAtomic(paths.credentials, j.dump() + "\n", 0600);
}

Result<std::string> LocalPassword(const Environment& env, const StatePaths& paths) {
  if (!env.postgres.password.empty()) return env.postgres.password;
  PGSTACK_ASSIGN_OR_RETURN(auto kept, ReadCredentials(paths));
  if (kept) return *kept;
  return Status::InvalidInput(fmt::format(
      "no password for role {}: set {} or run `pgstack up`, which generates one",
      env.postgres.user, env.postgres.password_env));
}

Result<Endpoints> LocalEndpoints(const Environment& env, const std::string& state_dir) {
  PGSTACK_ASSIGN_OR_RETURN(StackState st, LoadState(state_dir));
  StatePaths paths(state_dir);
  PGSTACK_ASSIGN_OR_RETURN(std::string password, LocalPassword(env, paths));
  Endpoints e;
  // The local stack has no TLS; saying so saves libpq an SSL round trip per connection.
  e.direct = pg::ConnParams{.host = env.postgres.host, .port = st.pg_port, .user = env.postgres.user,
                            .dbname = env.postgres.database, .password = password,
                            .sslmode = "disable"};
  e.pooled = e.direct;
  e.pooled.host = env.pgbouncer.listen_addr;
  e.pooled.port = st.pool_port;
  e.admin = e.pooled;
  e.admin.dbname = "pgbouncer";
  e.superuser = pg::ConnParams{.host = paths.run, .port = st.pg_port, .user = st.os_user,
                               .dbname = "postgres"};
  return e;
}

Result<Endpoints> ResolveEndpoints(const Environment& env, const std::string& state_dir) {
  if (env.mode == Mode::kLocal) return LocalEndpoints(env, state_dir);
  const PostgresConfig& pg = env.postgres;
  if (pg.password.empty()) {
    return Status::InvalidInput(fmt::format("{}: {} is empty: environment {} needs the password of {}",
                                            env.file, pg.password_env, env.name, pg.user));
  }
  Endpoints e;
  e.direct = pg::ConnParams{.host = pg.host, .port = pg.port, .user = pg.user,
                            .dbname = pg.database, .password = pg.password};
  e.pooled = e.direct;
  e.pooled.host = env.pgbouncer.listen_addr;
  e.pooled.port = env.pgbouncer.port;
  e.admin = e.pooled;
  e.admin.dbname = "pgbouncer";
  if (const char* url = std::getenv(pg.admin_url_env.c_str()); url && *url) {
    PGSTACK_ASSIGN_OR_RETURN(e.superuser, pg::ParseConnString(url, pg::ConnParams{.host = pg.host, .port = pg.port, .dbname = "postgres"}));
  }
  return e;
}

}  // namespace pgstack::stack
