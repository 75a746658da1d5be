// What diff.cpp and diff_write.cpp share: a scratch database loaded with a schema, and the
// server's answer to whether a cast exists there.
#pragma once

#include <string>
#include <vector>

#include "pgstack/core/status.h"
#include "pgstack/migrate/catalog.h"
#include "pgstack/pg/connection.h"
#include "scratch_db.h"

namespace pgstack::migrate::internal {

// Loads `schema` (its dump, its own extensions included) into the empty scratch database,
// through conn and more connections of its own (DumpWaves): a copy of the schema, and nothing
// the schema does not have. conn keeps the load's settings.
Status LoadSchema(const ScratchDb& scratch, pg::Connection& conn, const Catalog& schema);

// Whether `expr::to` works on a value of type `from`, asked of the server that holds the
// schema. A type it does not know yet (one the plan creates) is taken to have a cast: the proof
// runs the statement and finds out.
bool CanCast(pg::Connection& conn, const std::string& from, const std::string& to);

}  // namespace pgstack::migrate::internal
