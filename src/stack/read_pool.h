// PgBouncer's read pool, "<database>_ro": one entry whose host list PgBouncer rotates over, one
// host per replica. PgBouncer 1.18 takes a list of hosts per entry but one port for all of them
// (its dns_connect picks the next host for each new server connection), and a host that starts
// with '/' is a Unix socket folder, where it connects to <folder>/.s.PGSQL.<port>. A local
// stack's replicas share one address and differ by port; so each gets a folder
// (StatePaths::ReadPoolDir) holding a link of that one name to its own socket. Replicas keep
// their own ports: `env --replica`, status, verify and promote reach each as before, and the
// read pool takes no TCP port of its own.
#pragma once

#include <string>
#include <vector>

#include "internal.h"
#include "pgbouncer_process.h"
#include "pgstack/core/files.h"
#include "pgstack/stack/action.h"

namespace pgstack::stack {

// The number in the links' name (.s.PGSQL.5432), and the read pool's `port=`: a file name in
// pgstack's own folders, not a port anything listens on.
inline constexpr int kReadPoolLinkPort = 5432;

// The link folders PgBouncer's read pool rotates over: one per replica of st that is not fenced
// and whose server runs now (a stopped one would make a reader wait for server_login_retry).
std::vector<std::string> ReadPoolHosts(const StatePaths& root, const StackState& st);

// Makes each replica's folder and link (kept when already right) and removes the folders no
// replica of st has. InvalidInput when a link's path is longer than a Unix socket path may be.
Status WriteReadPoolLinks(const StatePaths& root, const StackState& st, core::Owner owner);

// After the replicas changed (up started or rebuilt them): pgbouncer.ini rewritten for the
// replicas that run now and, when that changed it, PgBouncer reloaded (SIGHUP, which it applies
// in its own time) and waited for until a reader gets in through the read pool. `pooled` is the
// application role's login through PgBouncer. Adds what it did to actions.
Status RefreshReadPool(const core::Environment& env, const StatePaths& root, const StackState& st,
                       PgBouncerProcess& bouncer, core::Owner owner, const pg::ConnParams& pooled,
                       std::vector<Action>& actions);

}  // namespace pgstack::stack
