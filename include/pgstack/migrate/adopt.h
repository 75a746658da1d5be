// Moving to pgstack from another migration tool without a hand-written baseline: the other
// tool's history table says which migrations ran, and `migrate adopt` records exactly those in
// pgstack's history (as baseline rows: recorded, never run), so that `up` goes on from there.
//
//   dbmate          schema_migrations (version varchar)           every row is applied
//   golang-migrate  schema_migrations (version bigint, dirty)     everything up to version
//   Flyway          flyway_schema_history                         successful versioned rows;
//                                                                 a BASELINE row covers <= it
//   sqlx            _sqlx_migrations (version, success)           rows with success
//   diesel          __diesel_schema_migrations (version)          every row is applied
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pgstack/core/status.h"
#include "pgstack/migrate/runner.h"
#include "pgstack/pg/connection.h"

namespace pgstack::migrate {

struct ForeignHistory {
  Format tool = Format::kDbmate;
  std::string table;
  // Applied versions as the tool wrote them, one by one (dbmate, Flyway, sqlx, diesel).
  std::vector<std::string> versions;
  // golang-migrate: everything up to versions[0]; Flyway: everything up to its BASELINE row.
  std::optional<std::string> through;
};

// The formats whose tools keep a history table `adopt --from` can read: all but pgstack's own.
std::vector<std::string> AdoptableFormatNames();

// The history tables of other tools in the database (none: an empty list). `only` picks one.
Result<std::vector<ForeignHistory>> ReadForeignHistories(pg::Connection& conn,
                                                         std::optional<Format> only);

struct AdoptReport {
  ForeignHistory from;
  RunReport recorded;  // the migrations now recorded as applied
};

// Reads the other tool's history (the one table found, or `from`), checks it against the
// migrations in o.dir (every applied version has its file; no file older than the newest
// applied one is missing from the history) and records them. Refuses with kCheckFailed, naming
// the version, when they disagree, and with kInvalidInput when no or several tables are found.
Result<AdoptReport> Adopt(const Options& o, std::optional<Format> from);

}  // namespace pgstack::migrate
