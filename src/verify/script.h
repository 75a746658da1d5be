// Runs a SQL script the way `psql -v ON_ERROR_STOP=1 -f` does (pg::Connection::ExecScript),
// keeping every statement's result, and leaves the connection idle.
#pragma once

#include <string_view>
#include <vector>

#include "pgstack/core/status.h"
#include "pgstack/pg/connection.h"
#include "pgstack/pg/query_result.h"

namespace pgstack::verify {

struct ScriptRun {
  std::vector<pg::QueryResult> results;  // one per statement that ran, in order
  Status error;                          // the statement that failed; the rest did not run
};

// Runs `sql` on conn. A transaction the script leaves open (because a statement failed before
// its ROLLBACK) is rolled back here, so the connection is idle after.
ScriptRun RunScript(pg::Connection& conn, std::string_view sql);

}  // namespace pgstack::verify
