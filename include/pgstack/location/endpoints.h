// How to reach a stack: the application role directly and through PgBouncer, the superuser, and
// PgBouncer's admin console. Apart from the code that starts the stack, so that verify, migrate
// and bench can find it without depending on it.
#pragma once

#include <string>
#include <vector>

#include "pgstack/core/config.h"
#include "pgstack/core/status.h"
#include "pgstack/location/stack_state.h"
#include "pgstack/location/state_paths.h"
#include "pgstack/pg/conn_params.h"

namespace pgstack::location {

struct Endpoints {
  pg::ConnParams direct;
  pg::ConnParams pooled;
  pg::ConnParams superuser;  // dbname "postgres"
  pg::ConnParams admin;      // dbname "pgbouncer" through PgBouncer, as the application role
  // The read pool: "<database>_ro" through PgBouncer, rotating over the replicas
  // (ReadPoolReplicas). Local stacks with a replica that is not fenced only (host empty
  // otherwise, and no_read_pool says why).
  pg::ConnParams read_pool;
  std::string no_read_pool;
  // Each of those replicas directly, as the application role (as `direct`, on its port): what
  // tells which replica served a read.
  std::vector<pg::ConnParams> replicas;
};

// The replicas PgBouncer's read pool rotates over while they run: those of st that are not
// fenced (a promote fences the old primary, and any replica that could not follow, until `up`
// rebuilds them).
std::vector<ReplicaState> ReadPoolReplicas(const StatePaths& root, const StackState& st);

// The superuser of the local stack in state_dir: the OS user that runs it, by peer on its Unix
// socket, database "postgres". Needs only the state directory (no config, no password).
Result<pg::ConnParams> LocalSuperuser(const std::string& state_dir);
// For the local stack in state_dir: ports from its state, the password from the environment or
// its credentials file; the superuser on the Unix socket (peer authentication).
Result<Endpoints> LocalEndpoints(const core::Environment& env, const std::string& state_dir);
// What verify, migrate and bench use: LocalEndpoints() in local mode; in external mode the
// configured server (with libpq overrides), PgBouncer at pgbouncer.listen_addr:port, and the
// administrator from the variable admin_url_env names as `superuser`.
Result<Endpoints> ResolveEndpoints(const core::Environment& env, const std::string& state_dir);

}  // namespace pgstack::location
