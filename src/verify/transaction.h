// Verify changes nothing: whatever a check creates, it creates inside a transaction that is
// rolled back here, on success and on error alike.
#pragma once

#include <functional>

#include "pgstack/core/status.h"
#include "pgstack/pg/connection.h"

namespace pgstack::verify {

// Runs body() in a transaction rolled back after it. Returns body's status (or that of the
// transaction's begin or rollback); the connection is idle after.
Status InRolledBackTransaction(pg::Connection& conn, const std::function<Status()>& body);

}  // namespace pgstack::verify
