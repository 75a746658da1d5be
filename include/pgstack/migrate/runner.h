// The operations behind `pgstack migrate`: status, plan, validate, up, down, baseline, repair.
// Each reads the directory while it connects and reads the history (every file problem is
// kInvalidInput, reported before any problem of the connection and before anything changes),
// then talks to the database on one connection (direct or through PgBouncer: both work, nothing
// relies on session state). Those that change the history hold the lease (lease.h).
//
// Errors: kInvalidInput (2) bad files, flags or a syntax error (nothing changed);
// kCheckFailed (3) a refusal: edited, missing or out-of-order migrations; kLockTimeout (4)
// another runner kept the lease past wait_ms, or lock_timeout retries ran out; kFailure (1)
// a migration failed at run time ("file:line:column: message"); kInterrupted (130) or
// kTerminated (143) SIGINT or SIGTERM stopped the run (core/interrupt.h): the statement in
// flight was cancelled, and what committed before it stays applied, with its history row.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pgstack/core/status.h"
#include "pgstack/migrate/flyway_placeholders.h"
#include "pgstack/migrate/history.h"
#include "pgstack/migrate/migration.h"
#include "pgstack/migrate/planner.h"
#include "pgstack/migrate/source.h"
#include "pgstack/pg/conn_params.h"

namespace pgstack::migrate {

struct AppliedStep {
  std::string version;
  std::string name;
  RunMode mode = RunMode::kTransaction;
  int ms = 0;
  bool resumed = false;  // continued a statement-by-statement run that had stopped
};

struct Options {
  std::string dir = "database/migrations";
  std::optional<Format> format;  // forced; detected when empty
  // The history this directory keeps (history_name.h); checked (kInvalidInput) before anything
  // is read.
  std::string history = std::string(kDefaultHistory);
  pg::ConnParams conn;         // where to connect (the CLI picks direct or pooled)
  int wait_ms = 60000;         // --lock-timeout: how long to wait for other runners
  int lease_ms = 10000;        // --lease: how long a silent runner's lease lasts
  int lock_timeout_ms = 5000;  // --pg-lock-timeout: PostgreSQL lock_timeout per transaction
  std::optional<int> statement_timeout_ms;  // --statement-timeout
  int retries = 5;                          // retries after a lock timeout or deadlock
  int backoff_ms = 500;                     // first pause between retries (doubles, with jitter)
  bool allow_out_of_order = false;
  // What Flyway scripts' placeholders stand for; nullopt: what is known without a connection.
  std::optional<FlywayPlaceholders> flyway;
  // What Inspect does with a file whose SQL cannot be made (source.h); kList for status, which
  // lists them. Every other operation fails the read, naming each.
  Unreadable unreadable = Unreadable::kFail;
  // Told what happens as it happens (waiting, applying, retrying), for progress output.
  std::function<void(const std::string&)> on_event;
  // Told while waiting for another runner's lease: whose it is and when it ends (first look,
  // then every 2 s), so that a wait is never silent.
  std::function<void(const std::string&)> on_wait;
  // Told about each migration applied (up) or reverted (down) as it commits, so that a run that
  // fails later can still say what it changed.
  std::function<void(const AppliedStep&)> on_step;
};

// What status, plan and validate see.
struct Report {
  MigrationSet set;
  std::vector<HistoryRow> history;  // Plan points into set and history
  Plan plan;
};

struct RunReport {
  std::string format;
  std::vector<AppliedStep> steps;  // applied (up) or reverted (down), in order
  int waited_ms = 0;               // time spent waiting for another runner's lease
};

// Reads the directory and history; changes nothing (not even creating the schema). The Report
// comes in a unique_ptr so that it never moves: its Plan points into its own set and history.
Result<std::unique_ptr<Report>> Inspect(const Options& o, const std::optional<Version>& to = {});

// `validate`: Inspect plus a server-side syntax check of every up and down file. The returned
// Report's problems say what is wrong; kInvalidInput for a syntax error.
Result<std::unique_ptr<Report>> Validate(const Options& o);

Result<RunReport> Up(const Options& o, const std::optional<Version>& to = {});
// Reverts `count` migrations (default 1), or all above `to` ("0": all of them).
Result<RunReport> Down(const Options& o, std::optional<int> count, std::optional<Version> to);
// Records every migration up to and including `version` as applied without running it.
Result<RunReport> Baseline(const Options& o, const Version& version);
// Accepts the current checksum of each applied migration whose file was edited, recording who
// did it and the previous checksum.
Result<RunReport> Repair(const Options& o);

}  // namespace pgstack::migrate
