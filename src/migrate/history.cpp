#include "pgstack/migrate/history.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>

#include "pgstack/core/os.h"
#include "pgstack/pg/error_class.h"
#include "pgstack/pg/transaction.h"

namespace pgstack::migrate {
namespace {

// Everything is IF NOT EXISTS so that a half-made schema (an older pgstack, a crash) completes.
// What every history shares: the schema, the lease rows and the function that asserts a lease.
// A holder id is unique, so hold_lease finds its row by holder whichever history it is for.
constexpr std::string_view kCreateShared = R"sql(
SELECT pg_advisory_xact_lock(7283946120394857);
CREATE SCHEMA IF NOT EXISTS pgstack;
CREATE TABLE IF NOT EXISTS pgstack.migration_lock (
  id int PRIMARY KEY CHECK (id = 1),
  holder text,
  acquired_at timestamptz,
  expires_at timestamptz
);
CREATE TABLE IF NOT EXISTS pgstack.history_lease (
  history text PRIMARY KEY,
  holder text,
  acquired_at timestamptz,
  expires_at timestamptz
);
CREATE OR REPLACE FUNCTION pgstack.hold_lease(p_holder text, p_lease_ms int) RETURNS void
LANGUAGE plpgsql AS $pgstack$
BEGIN
  UPDATE pgstack.migration_lock
     SET expires_at = clock_timestamp() + p_lease_ms * interval '1 millisecond'
   WHERE id = 1 AND holder = p_holder;
  IF NOT FOUND THEN
    UPDATE pgstack.history_lease
       SET expires_at = clock_timestamp() + p_lease_ms * interval '1 millisecond'
     WHERE holder = p_holder;
  END IF;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'this runner no longer holds the migration lease (it expired and another '
                    'runner may have taken over); nothing of this migration was applied';
  END IF;
END
$pgstack$;
)sql";

// One history's table and lease row ({table}, {lease_table}, {lease_new}: HistoryTable's).
constexpr std::string_view kCreateHistory = R"sql(
CREATE TABLE IF NOT EXISTS {table} (
  version text PRIMARY KEY,
  name text NOT NULL,
  kind text NOT NULL DEFAULT 'versioned'
    CHECK (kind IN ('versioned', 'repeatable', 'baseline')),
  checksum text NOT NULL,
  state text NOT NULL DEFAULT 'applied' CHECK (state IN ('applied', 'partial', 'reverting')),
  statements_done int NOT NULL DEFAULT 0,
  statements_total int NOT NULL DEFAULT 0,
  applied_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  applied_by text NOT NULL DEFAULT current_user,
  execution_ms int NOT NULL DEFAULT 0,
  repaired_at timestamptz,
  repaired_by text,
  previous_checksum text
);
INSERT INTO {lease_table} {lease_new} ON CONFLICT DO NOTHING;
)sql";

// pgstack.history_lease is made in the transaction that makes hold_lease know it: a schema an
// older pgstack made gets both.
constexpr std::string_view kSchemaReady =
    "SELECT to_regclass('pgstack.history_lease') IS NOT NULL AND to_regclass('{}') IS NOT NULL";

// Runs the schema's text (kCreateShared, kCreateHistory) in one transaction.
Status CreateSchema(pg::Connection& conn, const std::string& create) {
  PGSTACK_ASSIGN_OR_RETURN(
      pg::Transaction tx, pg::Transaction::Begin(conn, {.lock_timeout = std::chrono::seconds(30)}));
  PGSTACK_RETURN_IF_ERROR(conn.Run(create));
  return tx.Commit();
}

// "2026-12-04T23:11:41.137Z" of milliseconds since 1970, as to_char(... 'MS') gives it (which
// truncates too), without the server's to_char on each row: 9 of its 10 ms on 5,000 rows.
std::string IsoUtcMillis(long long ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
}

}  // namespace

Result<std::vector<HistoryRow>> LoadHistory(pg::Connection& conn, const HistoryTable& history) {
  std::vector<HistoryRow> out;
  // One round trip; a missing table (42P01, nothing made yet) is an empty history.
  auto res =
      conn.Exec(fmt::format("SELECT version, name, kind, checksum, state, statements_done, "
                            "statements_total, floor(extract(epoch FROM applied_at) * 1000)::int8, "
                            "applied_by, execution_ms, "
                            "coalesce(to_char(repaired_at AT TIME ZONE 'UTC', "
                            "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''), coalesce(repaired_by, ''), "
                            "coalesce(previous_checksum, '') FROM {}",
                            history.table));
  if (!res.ok() && pg::Classify(res.status()) == pg::ErrorClass::kUndefinedObject) return out;
  if (!res.ok()) return res.status().WithContext("reading the migration history");
  const pg::QueryResult& r = *res;
  out.reserve(r.rows());
  for (int i = 0; i < r.rows(); ++i) {
    HistoryRow h;
    h.version = r.get(i, 0);
    h.name = r.get(i, 1);
    h.kind = r.get(i, 2);
    h.checksum = r.get(i, 3);
    h.state = r.get(i, 4);
    PGSTACK_ASSIGN_OR_RETURN(h.statements_done, r.get_int<int>(i, 5));
    PGSTACK_ASSIGN_OR_RETURN(h.statements_total, r.get_int<int>(i, 6));
    PGSTACK_ASSIGN_OR_RETURN(long long applied_ms, r.get_int<long long>(i, 7));
    h.applied_at = IsoUtcMillis(applied_ms);
    h.applied_by = r.get(i, 8);
    PGSTACK_ASSIGN_OR_RETURN(h.execution_ms, r.get_int<int>(i, 9));
    h.repaired_at = r.get(i, 10);
    h.repaired_by = r.get(i, 11);
    h.previous_checksum = r.get(i, 12);
    out.push_back(std::move(h));
  }
  return out;
}

Status EnsureHistorySchema(pg::Connection& conn, const HistoryTable& history) {
  // The advisory lock serialises creators, but a runner that waited on it may still decide from
  // catalog caches older than the winner's commit (taking an advisory lock does not refresh
  // them) and trip over the objects just made. A fresh transaction sees them: check again.
  const std::string ready_sql = fmt::format(kSchemaReady, history.table);
  const std::string create =
      std::string(kCreateShared) + fmt::format(kCreateHistory, fmt::arg("table", history.table),
                                               fmt::arg("lease_table", history.lease_table),
                                               fmt::arg("lease_new", history.lease_new));
  for (int attempt = 0;; ++attempt) {
    PGSTACK_ASSIGN_OR_RETURN(auto ready, conn.Exec(ready_sql));
    if (ready.scalar() == "t") return Status::Ok();
    Status s = CreateSchema(conn, create);
    if (s.ok()) return s;
    auto c = pg::Classify(s);
    bool raced = c == pg::ErrorClass::kUniqueViolation || c == pg::ErrorClass::kDuplicateObject;
    if (!raced || attempt >= 3) {
      return s.WithContext(fmt::format("creating {} (the migration history)", history.table));
    }
  }
}

std::string RunByExpression(pg::Connection& conn, std::string_view identity) {
  return conn.QuoteLiteral(identity) + " || ' as ' || current_user";
}

std::string RunnerIdentity() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return core::CurrentOsUser().name + "@" + host;
}

}  // namespace pgstack::migrate
