// What the server and PgBouncer see while a bench point runs, sampled from the side:
// - BackendSampler counts the server backends of the bench's role and database in
//   pg_stat_activity (not counting its own), and keeps the peak.
// - PoolerSampler reads PgBouncer's console: SHOW POOLS (clients waiting, longest wait, server
//   connections of the pool) and SHOW STATS totals, from which Averages() derives per-transaction
//   figures for the run. Columns are read by name: they differ between PgBouncer releases.
#pragma once

#include <optional>
#include <string>

#include "pgstack/core/status.h"
#include "pgstack/pg/connection.h"

namespace pgstack::bench {

class BackendSampler {
 public:
  // conn: a connection that sees the role's backends (a superuser, or the role itself).
  BackendSampler(pg::Connection conn, std::string role, std::string database)
      : conn_(std::move(conn)), role_(std::move(role)), database_(std::move(database)) {}
  Result<int> Count();
  // Counts and updates the peak; a failed sample is remembered, not fatal.
  void Sample();
  void ResetPeak() { peak_ = 0; }
  int peak() const { return peak_; }
  const Status& last_error() const { return last_error_; }

 private:
  pg::Connection conn_;
  std::string role_;
  std::string database_;
  int peak_ = 0;
  Status last_error_;
};

// SHOW POOLS, the row of one database and user.
struct PoolsRow {
  int cl_active = 0;
  int cl_waiting = 0;
  int sv_active = 0;
  int sv_idle = 0;
  int sv_used = 0;
  int sv_tested = 0;
  int sv_login = 0;
  double maxwait_ms = 0;  // the oldest waiting client's wait
  int server_connections() const { return sv_active + sv_idle + sv_used + sv_tested + sv_login; }
};

// SHOW STATS totals of one database (microseconds and counts since PgBouncer started).
struct StatsTotals {
  long long xact_count = 0;
  long long query_count = 0;
  long long xact_time_us = 0;
  long long query_time_us = 0;
  long long wait_time_us = 0;
};

// Per-transaction averages between two StatsTotals.
struct StatsAverages {
  long long transactions = 0;
  double xact_ms = 0;   // time a server connection was held per transaction
  double query_ms = 0;  // per query
  double wait_ms = 0;   // time clients waited for a server connection, per transaction
};
StatsAverages Averages(const StatsTotals& before, const StatsTotals& after);

// The PgBouncer settings the report explains its figures with (SHOW CONFIG).
struct PoolerLimits {
  int default_pool_size = 0;
  int reserve_pool_size = 0;
  int max_client_conn = 0;
  int max_db_connections = 0;  // 0: no limit
  std::string pool_mode;
};

class PoolerSampler {
 public:
  PoolerSampler(pg::Connection console, std::string database, std::string user)
      : console_(std::move(console)), database_(std::move(database)), user_(std::move(user)) {}
  Result<PoolsRow> Pools();
  Result<StatsTotals> Stats();
  Result<PoolerLimits> Limits();

 private:
  pg::Connection console_;
  std::string database_;
  std::string user_;
};

}  // namespace pgstack::bench
