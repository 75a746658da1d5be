#include "pgstack/location/endpoints.h"

#include <fmt/format.h>

#include <cstdlib>

#include "pgstack/location/credentials.h"
#include "pgstack/location/stack_state.h"
#include "pgstack/location/state_paths.h"

namespace pgstack::location {

Result<pg::ConnParams> LocalSuperuser(const std::string& state_dir) {
  PGSTACK_ASSIGN_OR_RETURN(StackState st, LoadState(state_dir));
  return pg::ConnParams{.host = StatePaths(state_dir).run,
                        .port = st.pg_port,
                        .user = st.os_user,
                        .dbname = "postgres"};
}

std::vector<ReplicaState> ReadPoolReplicas(const StatePaths& root, const StackState& st) {
  std::vector<ReplicaState> out;
  for (const auto& r : st.replicas)
    if (!root.Node(r.node).Fenced()) out.push_back(r);
  return out;
}

Result<Endpoints> LocalEndpoints(const core::Environment& env, const std::string& state_dir) {
  PGSTACK_ASSIGN_OR_RETURN(StackState st, LoadState(state_dir));
  StatePaths paths(state_dir);
  PGSTACK_ASSIGN_OR_RETURN(std::string password, LocalPassword(env, paths));
  Endpoints e;
  // The local stack has no TLS; saying so saves libpq an SSL round trip per connection.
  e.direct = pg::ConnParams{.host = env.postgres.host,
                            .port = st.pg_port,
                            .user = env.postgres.user,
                            .dbname = env.postgres.database,
                            .password = password,
                            .sslmode = "disable"};
  // A refused password here is not a stopped stack: the role's password was changed behind
  // pgstack's back (or the file was), and `up` sets it from the same source again.
  e.direct.auth_hint = fmt::format(
      "the password in {} is not the role's (changed behind pgstack's back?): `pgstack up` sets "
      "the role's password (and PgBouncer's userlist) from it again",
      PasswordSource(env, paths));
  e.pooled = e.direct;
  e.pooled.host = env.pgbouncer.listen_addr;
  e.pooled.port = st.pool_port;
  e.admin = e.pooled;
  e.admin.dbname = "pgbouncer";
  for (const ReplicaState& r : ReadPoolReplicas(paths, st)) {
    e.replicas.push_back(e.direct);
    e.replicas.back().port = r.port;
  }
  if (!e.replicas.empty()) {
    e.read_pool = e.pooled;
    e.read_pool.dbname = env.postgres.database + "_ro";
  } else {
    e.no_read_pool = st.replicas.empty()
                         ? "it has no replica (pgstack up --replicas 1 makes one)"
                         : "every replica is fenced after a promote: `pgstack up` rebuilds them";
  }
  PGSTACK_ASSIGN_OR_RETURN(e.superuser, LocalSuperuser(state_dir));
  return e;
}

Result<Endpoints> ResolveEndpoints(const core::Environment& env, const std::string& state_dir) {
  if (env.mode == core::Mode::kLocal) return LocalEndpoints(env, state_dir);
  const core::PostgresConfig& pg = env.postgres;
  if (pg.password.empty()) {
    return Status::InvalidInput(
        fmt::format("{}: {} is empty: environment {} needs the password of {}", env.file,
                    pg.password_env, env.name, pg.user));
  }
  Endpoints e;
  e.direct = pg::ConnParams{
      .host = pg.host,
      .port = pg.port,
      .user = pg.user,
      .dbname = pg.database,
      .password = pg.password,
      .auth_hint = fmt::format("check the password in ${} or PGPASSWORD (environment {})",
                               pg.password_env, env.name)};
  e.pooled = e.direct;
  e.pooled.host = env.pgbouncer.listen_addr;
  e.pooled.port = env.pgbouncer.port;
  e.admin = e.pooled;
  e.admin.dbname = "pgbouncer";
  if (const char* url = std::getenv(pg.admin_url_env.c_str()); url && *url) {
    PGSTACK_ASSIGN_OR_RETURN(
        e.superuser,
        pg::ParseConnString(
            url, pg::ConnParams{.host = pg.host, .port = pg.port, .dbname = "postgres"}));
  }
  return e;
}

}  // namespace pgstack::location
