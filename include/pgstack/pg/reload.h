// Reloading a server's configuration files and knowing it took effect: pg_reload_conf() only
// signals the postmaster, which re-reads the files and then signals every backend; a backend
// applies them between statements.
#pragma once

#include <chrono>

#include "pgstack/core/status.h"
#include "pgstack/pg/connection.h"

namespace pgstack::pg {

// Calls pg_reload_conf() on conn and waits (bounded) until conn's own backend has re-read the
// files (pg_conf_load_time() moved): then the postmaster has too, so new sessions see the new
// values as well. Fails, saying so, when that does not happen within `timeout`.
Status ReloadConfiguration(Connection& conn,
                           std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace pgstack::pg
