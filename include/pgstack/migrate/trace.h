// `pgstack migrate lint --trace`: runs pending migrations in a scratch database cloned from the
// target and records, after each statement, the locks its transaction holds, the tables it
// rewrote (their relfilenode changed) and the time it took. The clone is dropped at the end,
// whatever happened; the target is never changed.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "pgstack/core/status.h"
#include "pgstack/migrate/lint.h"
#include "pgstack/migrate/migration.h"
#include "pgstack/pg/conn_params.h"

namespace pgstack::migrate {

struct TraceLock {
  std::string relation;  // as regclass prints it ("readings", "audit.events")
  std::string mode;      // pg_locks.mode ("AccessExclusiveLock", ...)
};

struct TraceStep {
  std::string version;  // the migration's key
  std::string file;
  int line = 1;
  std::vector<TraceLock> locks;        // held right after the statement (none when it ran bare)
  std::vector<std::string> rewritten;  // tables that existed before it and got a new relfilenode
  double ms = 0;
};

struct TraceReport {
  // How the scratch database was made: "template" (CREATE DATABASE ... TEMPLATE target) or
  // "replayed" (the target was in use, so the applied migrations were run in an empty one).
  std::string clone;
  std::vector<TraceStep> steps;
};

struct ScratchOptions {
  pg::ConnParams superuser;  // creates and drops the scratch database; runs SQL in it
  std::string target_db;     // the live database
  // The configured extensions (pgstack up creates them in the live database, not migrations).
  std::vector<std::string> extensions;
  std::function<void(const std::string&)> on_event;
};

Result<TraceReport> Trace(const ScratchOptions& where, const std::vector<const Migration*>& applied,
                          const std::vector<const Migration*>& pending);

// Adds a trace-table-rewrite finding for each rewrite of a table that no static finding of
// warning or above flagged at that statement.
void AddTraceFindings(const TraceReport& trace, LintReport& report);

nlohmann::json TraceJson(const TraceReport& trace);

}  // namespace pgstack::migrate
