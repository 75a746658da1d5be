// A migration history in schema `pgstack` (created on first use by a runner, never by a
// read-only command): one row per applied migration, and the lease row runners take turns on.
// Each history has a name (history_name.h); the default one is:
//
//   pgstack.schema_history  version (key), name, kind, checksum, state, statements_done,
//                           statements_total, applied_at, applied_by, execution_ms,
//                           repaired_at, repaired_by, previous_checksum
//   pgstack.migration_lock  its lease row: holder, acquired_at, expires_at (lease.h); other
//                           histories have theirs in pgstack.history_lease, keyed by name
//   pgstack.hold_lease()    asserts and extends the caller's lease inside a migration's
//                           transaction, whichever history it is for
#pragma once

#include <string>
#include <vector>

#include "pgstack/core/status.h"
#include "pgstack/migrate/history_name.h"
#include "pgstack/pg/connection.h"

namespace pgstack::migrate {

// States of a history row.
inline constexpr std::string_view kStateApplied = "applied";
inline constexpr std::string_view kStatePartial = "partial";      // up stopped half way
inline constexpr std::string_view kStateReverting = "reverting";  // down stopped half way
// Kinds.
inline constexpr std::string_view kKindVersioned = "versioned";
inline constexpr std::string_view kKindRepeatable = "repeatable";
inline constexpr std::string_view kKindBaseline = "baseline";

struct HistoryRow {
  std::string version;  // Migration::key()
  std::string name;
  std::string kind;
  std::string checksum;
  std::string state;
  int statements_done = 0;  // statement-by-statement runs: how many statements completed
  int statements_total = 0;
  std::string applied_at;  // ISO 8601, UTC
  std::string applied_by;
  int execution_ms = 0;
  std::string repaired_at;  // empty unless `repair` accepted a changed checksum
  std::string repaired_by;
  std::string previous_checksum;
};

// The history's rows, or an empty list when its table does not exist yet (nothing is created).
Result<std::vector<HistoryRow>> LoadHistory(pg::Connection& conn, const HistoryTable& history);

// Creates the schema, the history's table and lease row, and the function when missing. Safe
// when many runners start at once: creation is serialised by a transaction-level advisory lock
// (never a session one).
Status EnsureHistorySchema(pg::Connection& conn, const HistoryTable& history);

// Who is running this: "<os user>@<host>", to which the server adds " as <role>".
std::string RunnerIdentity();

// The SQL expression history rows record in applied_by and repaired_by: `identity` (usually
// RunnerIdentity()) followed by " as " and the role the server runs it as.
std::string RunByExpression(pg::Connection& conn, std::string_view identity);

}  // namespace pgstack::migrate
