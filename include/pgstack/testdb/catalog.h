// testdb's catalog: two small tables in schema pgstack_testdb of the server's maintenance
// database, shared by every process that uses the stack (servers, CLI runs, several machines).
//
// Coordination is by row locks, never session advisory locks, so it also holds through
// PgBouncer's transaction pooling and needs no lease: whoever works on a row (builds a
// template, clones or recreates a test database) holds that row's lock in an open transaction
// for as long as the work lasts. When the worker dies, its transaction ends and the lock with
// it; the row's state ("building", "creating") then says what to clean up, and the next worker
// that gets the lock does so. A row is always committed before its database is created and
// deleted only after it is dropped, so a database testdb made is never unlisted while it exists.
//
//   templates(hash, database, state building|ready|discarded, created_at, ready_at, last_used,
//             origin, source: the directory and flags of a template pgstack built itself)
//   tests(id, hash, database, state creating|ready|in_use|dirty, created_at, handed_out_at,
//         password: of the database's own login role, which has its name)
#pragma once

#include "pgstack/core/status.h"
#include "pgstack/pg/connection.h"

namespace pgstack::testdb {

inline constexpr const char* kTemplatesTable = "pgstack_testdb.templates";
inline constexpr const char* kTestsTable = "pgstack_testdb.tests";

// Creates the schema and tables when missing, safe when several processes start at once. A run
// that finds them complete, at once or after waiting for the run making them, takes no lock on
// the tables (testdb_catalog_test.cpp).
Status EnsureCatalog(pg::Connection& conn);

}  // namespace pgstack::testdb
