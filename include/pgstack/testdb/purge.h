// Everything testdb made on a server, gone at once: what `pgstack down` runs before it stops the
// stack, so that no template or test database outlives it (docs/testdb.md). Only what testdb
// ever drops is dropped: databases with its name prefix and comment, and those its catalog lists;
// the catalog is left empty, not dropped, so that a `testdb serve` still running works again
// after the next `up`.
#pragma once

#include "pgstack/core/status.h"
#include "pgstack/pg/conn_params.h"

namespace pgstack::testdb {

// Connects as admin (a superuser, database "postgres"), ends the sessions of testdb's services
// (their builds and clones die with them), and drops every marked database. While it works it
// holds the catalog's tables locked, so that no service starts a clone behind it. The number of
// databases dropped.
Result<int> Purge(const pg::ConnParams& admin);

}  // namespace pgstack::testdb
