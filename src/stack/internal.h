// Pieces of the stack layer shared by its files; not part of the public API.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "pgstack/core/config.h"
#include "pgstack/core/os.h"
#include "pgstack/core/process.h"
#include "pgstack/location/credentials.h"
#include "pgstack/location/stack_state.h"
#include "pgstack/location/state_paths.h"
#include "pgstack/pg/connection.h"
#include "pgstack/stack/pg_binaries.h"
#include "pgstack/stack/stack.h"

namespace pgstack::stack {

// The stack layer creates what location describes; it speaks of it unqualified.
using location::StackState;
using location::StatePaths;

// Polls until a login works and a first statement runs (a server or pooler that was just
// started, reloaded or restarted) and returns that connection; on timeout, the last reason a
// login failed. Through PgBouncer the statement matters: a login is checked against the
// userlist alone, the server is reached only by a query.
Result<pg::Connection> WaitForLogin(const pg::ConnParams& p, std::chrono::milliseconds timeout);

// pgbouncer.ini of the local stack in its state (PostgreSQL at st.pg_port, the read pool
// <database>_ro rotating over the replicas that run: read_pool.h).
Result<std::string> RenderLocalIni(const core::Environment& env, const StatePaths& paths,
                                   const StackState& st);

// Runs a PostgreSQL or PgBouncer program as the service user; a non-zero exit becomes an error
// that quotes the program's last output lines.
Status RunAs(core::ProcessRunner& runner, const core::OsUser& user, std::vector<std::string> argv,
             const std::string& what, int timeout_s = 120);
// RunAs, and what the program printed when it succeeded; `input` is its stdin.
Result<std::string> RunAsForOutput(core::ProcessRunner& runner, const core::OsUser& user,
                                   std::vector<std::string> argv, const std::string& what,
                                   int timeout_s = 120, std::string input = "");

// Why a PostgreSQL or PgBouncer program failed, on one line, from what it printed: its last two
// lines, after its last PANIC or FATAL line when that came earlier.
std::string LastWords(std::string_view output);

}  // namespace pgstack::stack
