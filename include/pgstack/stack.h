// The local stack: a PostgreSQL 17 cluster and a PgBouncer in front of it, under one state
// directory, run as an unprivileged OS user. Up() brings it from nothing (or any partial state)
// to running and provisioned, idempotently; it reports what it did.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pgstack/config.h"
#include "pgstack/pg/conn_params.h"
#include "pgstack/process.h"
#include "pgstack/status.h"

namespace pgstack::stack {

// Where everything lives inside a state directory.
struct StatePaths {
  explicit StatePaths(const std::string& state_dir);  // relative to the working folder
  std::string root;         // 0700, owned by the service user
  std::string state_file;   // state.json: ports, binaries, identity (0600)
  std::string credentials;  // credentials.json: a generated password (0600), local mode only
  std::string lock_file;    // flock()ed while up/down/destroy run
  std::string data;         // the PostgreSQL data directory
  std::string conf_dir;     // data/conf.d, pulled in by include_dir
  std::string pg_conf;      // data/conf.d/pgstack.conf: every setting pgstack writes
  std::string hba;          // data/pgstack_hba.conf
  std::string ident;        // data/pgstack_ident.conf
  std::string run;          // sockets and pidfiles
  std::string logs;         // postgresql.log, pgbouncer.log
  std::string pg_log;
  std::string pgbouncer_dir;
  std::string pgbouncer_ini;
  std::string userlist;     // SCRAM verifiers (0600)
  std::string pgbouncer_log;
  std::string pgbouncer_pid;

 private:
  StatePaths(const std::string& absolute_dir, int);
};

// What a state directory remembers between commands (state.json).
struct StackState {
  std::string stack_id;     // "<environment>/<database>/<user>": a state dir serves one stack
  std::string environment;
  int pg_port = 0;
  int pool_port = 0;
  std::string pg_bin;
  std::string os_user;
};

struct UpOptions {
  std::string state_dir = ".pgstack";
  std::optional<int> pg_port;    // --pg-port (0: a free port)
  std::optional<int> pool_port;  // --pool-port
  std::string pg_bin;            // --pg-bin
};

struct UpReport {
  std::vector<std::string> actions;  // what changed, in order; empty when nothing did
  StackState state;
  std::string pg_version;            // server_version, e.g. "17.10"
};

Result<UpReport> Up(const Environment& env, const UpOptions& opts,
                    ProcessRunner& runner = SystemProcessRunner());
Status Down(const std::string& state_dir, ProcessRunner& runner = SystemProcessRunner());
Status Destroy(const std::string& state_dir, ProcessRunner& runner = SystemProcessRunner());

struct StackStatus {
  bool exists = false;  // a state dir with state.json
  StackState state;
  bool postgres_running = false;
  std::string postgres_version;
  bool pgbouncer_running = false;
};
Result<StackStatus> GetStatus(const std::string& state_dir);

// Reads state.json; an error when the directory holds no stack.
Result<StackState> LoadState(const std::string& state_dir);

// How to reach a local stack: the application role directly and through PgBouncer, the
// superuser on the Unix socket (peer authentication), and PgBouncer's admin console.
struct Endpoints {
  pg::ConnParams direct;
  pg::ConnParams pooled;
  pg::ConnParams superuser;  // dbname "postgres"
  pg::ConnParams admin;      // dbname "pgbouncer" through PgBouncer, as the application role
};
// For the local stack in state_dir: ports from its state, the password from the environment or
// its credentials file.
Result<Endpoints> LocalEndpoints(const Environment& env, const std::string& state_dir);
// What verify, migrate and bench use: LocalEndpoints() in local mode; in external mode the
// configured server (with libpq overrides), PgBouncer at pgbouncer.listen_addr:port, and the
// administrator from the variable admin_url_env names as `superuser`.
Result<Endpoints> ResolveEndpoints(const Environment& env, const std::string& state_dir);

}  // namespace pgstack::stack
