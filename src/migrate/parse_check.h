// Finds syntax errors in SQL files without running them, so that `up` fails with a
// file:line:column before it changes anything.
//
// How: PostgreSQL parses a whole simple-query string before executing its first statement. The
// check sends one string whose first statement raises a known error, followed by every statement
// to check; a syntax error anywhere comes back (with its position) before anything runs, and
// otherwise the known error stops execution at once. Nothing is executed either way.
#pragma once

#include <vector>

#include "pgstack/core/status.h"
#include "pgstack/migrate/migration.h"
#include "pgstack/pg/connection.h"

namespace pgstack::migrate::internal {

// OK, or kInvalidInput "path:line:column: syntax error ..." for the first bad statement.
Status ParseCheck(pg::Connection& conn, const std::vector<const SqlText*>& texts);

}  // namespace pgstack::migrate::internal
