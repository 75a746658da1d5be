// Verify changes nothing: whatever a check creates, it creates inside a transaction that is
// rolled back here, on success and on error alike.
#pragma once

#include <functional>

#include "pgstack/core/status.h"
#include "pgstack/pg/connection.h"

namespace pgstack::verify {

// BEGIN; body(); ROLLBACK. Returns body's status (or BEGIN's); the connection is idle after.
Status InRolledBackTransaction(pg::Connection& conn, const std::function<Status()>& body);

}  // namespace pgstack::verify
