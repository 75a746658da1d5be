// The one place that turns a PostgreSQL error into a category. Code branches on the category,
// never on message text.
#pragma once

#include <string_view>

#include "pgstack/core/status.h"

namespace pgstack::pg {

enum class ErrorClass {
  kNone,                   // not an error
  kConnection,             // could not connect or the connection broke (08xxx, or no SQLSTATE)
  kTooManyConnections,     // 53300
  kDiskFull,               // 53100: the server could not write, ENOSPC
  kSerializationFailure,   // 40001
  kDeadlock,               // 40P01
  kLockNotAvailable,       // 55P03: lock_timeout or NOWAIT
  kQueryCanceled,          // 57014: statement_timeout or cancel
  kAdminShutdown,          // 57P01..57P03: server shutting down or restarting
  kSyntaxOrAccess,         // class 42: syntax error, undefined object, insufficient privilege
  kInsufficientPrivilege,  // 42501
  kUniqueViolation,        // 23505
  kDuplicateObject,        // 42P04, 42P06, 42P07, 42710, 42723
  kUndefinedObject,        // 42P01, 42704, 42883, 3D000, 3F000
  kActiveSqlTransaction,   // 25001: cannot run inside a transaction block
  kReadOnlyTransaction,    // 25006: a write in a read-only transaction (or on a standby)
  kObjectInUse,            // 55006: e.g. a template database other sessions are connected to
  kInvalidPassword,        // 28P01, 28000
  kOther,
};

ErrorClass Classify(std::string_view sqlstate);
// The SQLSTATEs of libpq's own failures, where the server sent none: could not connect, and the
// connection broke (what the load generator counts them under).
inline constexpr std::string_view kCannotConnectState = "08001";
inline constexpr std::string_view kConnectionFailureState = "08006";
inline ErrorClass Classify(const Status& s) {
  return s.ok() ? ErrorClass::kNone : Classify(s.sqlstate());
}
// True when the transaction lost to a concurrent one (serialization failure, deadlock, a lock not
// granted within lock_timeout): running it again on the same connection may succeed.
bool IsConcurrencyConflict(ErrorClass c);

// True when the server rejected the statement's text itself rather than failed to run it: class
// 42 (syntax error or access rule violation: names, privileges) and class 22 (data exception:
// bad literals and escapes). A fault of the SQL's author, not of the server or the moment.
bool IsStatementFault(std::string_view sqlstate);
inline bool IsStatementFault(const Status& s) { return !s.ok() && IsStatementFault(s.sqlstate()); }
// True for a syntax error proper (42601), the narrowest of the above.
bool IsSyntaxError(std::string_view sqlstate);
inline bool IsSyntaxError(const Status& s) { return !s.ok() && IsSyntaxError(s.sqlstate()); }

// libpq reports errors raised while a connection is being made without a SQLSTATE; the server
// sent one, so recover it from the few messages whose category matters (too many clients,
// password failed, database missing, shutting down). "" when unknown.
std::string_view SqlStateOfConnectError(std::string_view libpq_message);

}  // namespace pgstack::pg
