// Transactions on a catalog connection: BEGIN with a bound on lock waits, and a ROLLBACK that
// cannot fail the caller (a failed caller's own error is the one worth reporting).
#pragma once

#include <fmt/format.h>

#include <algorithm>

#include "pgstack/pg/connection.h"

namespace pgstack::testdb {

inline Status Begin(pg::Connection& c, int lock_timeout_ms) {
  // lock_timeout 0 would mean "wait forever": the shortest bound is 1 ms.
  return c.Run(fmt::format("BEGIN; SET LOCAL lock_timeout = '{}ms'", std::max(1, lock_timeout_ms)));
}

inline void RollbackQuietly(pg::Connection& c) {
  if (c.in_transaction()) (void)c.Run("ROLLBACK");
}

}  // namespace pgstack::testdb
