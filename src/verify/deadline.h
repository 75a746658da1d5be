// A query with a time limit. Through PgBouncer a client waits for a server connection up to
// query_wait_timeout (minutes) when the server is unreachable; verify must report that, not wait
// for it.
#pragma once

#include <chrono>
#include <string_view>

#include "pgstack/pg/connection.h"
#include "pgstack/pg/query_result.h"
#include "pgstack/core/status.h"

namespace pgstack::verify {

// Runs one statement on conn and returns its result, or a failure when no answer came within
// `limit`; the connection is then in an unknown state: close it.
Result<pg::QueryResult> ExecWithin(pg::Connection& conn, std::string_view sql,
                                   std::chrono::milliseconds limit);

}  // namespace pgstack::verify
