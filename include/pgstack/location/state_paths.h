// Where everything of a local stack lives inside its state directory. Pure paths: nothing here
// touches the disk, so every layer may ask where a file is without depending on the code that
// creates it.
#pragma once

#include <string>

namespace pgstack::location {

// The name of StatePaths::fence_marker in a data directory.
inline constexpr const char* kFenceMarkerName = "pgstack.fenced";

struct StatePaths {
  explicit StatePaths(const std::string& state_dir);  // relative to the working folder
  std::string root;                                   // 0700, owned by the service user
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
  std::string userlist;  // SCRAM verifiers (0600)
  std::string pgbouncer_log;
  std::string pgbouncer_pid;
  std::string replicas;  // replicas/: one folder per node beyond the first, and pgpass
  // data/pgstack.fenced: this node is not to be used until `up` rebuilds it as a replica (it
  // was the primary before a `pgstack promote`, or could not follow the new one). Its text
  // says why.
  std::string fence_marker;

  // The paths of node n of the stack (0: the above; n > 0: replicas/<n>/data, its files and its
  // log in replicas/<n>/): a replica, or the primary after a `pgstack promote`. Everything
  // outside the data directory (run, PgBouncer) is shared.
  StatePaths Node(int n) const;
  std::string NodeDir(int n) const;  // replicas/<n> (n > 0)
  // The replication role's password as libpq reads it (0600, the service user's).
  std::string ReplicationPassfile() const { return replicas + "/pgpass"; }
  // run/ro<port>: the folder of the read pool's link to the socket of the node on `port`
  // (stack/read_pool.h says why a link).
  std::string ReadPoolDir(int port) const { return run + "/ro" + std::to_string(port); }
  // Whether fence_marker exists: what status, verify and the read pool leave out.
  bool Fenced() const;
  // Why the node is fenced, as the marker says ("" when it is not).
  std::string FenceReason() const;

 private:
  StatePaths(const std::string& absolute_dir, int);
};

}  // namespace pgstack::location
