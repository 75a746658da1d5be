// `migrate new NAME`: a new, empty migration in the directory's own format (docs/migrations.md):
// pgstack's, dbmate's, golang-migrate's, Flyway's, sqlx's or diesel's, named and laid out as
// that tool's own `new`/`create`/`add` would, so that the team's tool still reads it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pgstack/core/status.h"
#include "pgstack/migrate/migration.h"

namespace pgstack::migrate {

// Writes the new migration's file(s) in dir (created when missing) and returns their paths, the
// up file first. The format is the directory's (`format` when given; pgstack's for an empty
// directory). The version continues a numbered sequence ("0007" after "0006", "V8" after "V7")
// or, in an empty directory (Flyway: V1) or one versioned by timestamps, is the UTC time
// (YYYYMMDDHHMMSS; diesel: YYYY-MM-DD-HHMMSS). A freshly written migration holds no statement:
// pgstack's is listed as unwritten (up refuses it), the other tools' are the no-ops their tools
// would run. kInvalidInput when the name is not [a-z0-9_]+, or a file already exists.
Result<std::vector<std::string>> NewMigration(const std::string& dir, const std::string& name,
                                              std::optional<Format> format = std::nullopt);

// One migration to write with its SQL: what `migrate diff --write` produces.
struct MigrationDraft {
  std::string up;
  bool up_no_transaction = false;
  std::string down;
  bool down_no_transaction = false;
};

// Where new migrations named `name` go: the directory (made when missing) as read, and the
// format they are written in (`format`, else the directory's; pgstack's in an empty one).
// kInvalidInput when the name is not [a-z0-9_]+.
struct NewMigrationTarget {
  std::string dir;
  std::string name;
  MigrationSet set;
  Format format = Format::kPgstack;
};
Result<NewMigrationTarget> PrepareNewMigration(const std::string& dir, const std::string& name,
                                               std::optional<Format> format = std::nullopt);

// Writes `drafts` as new migrations of the target, numbered one after another in the given order
// as NewMigration numbers one (named NAME, or NAME_01, NAME_02, ... when there are several), and
// returns the paths written. Nothing is written when a file would be overwritten (kInvalidInput).
Result<std::vector<std::string>> WriteNewMigrations(const NewMigrationTarget& target,
                                                    const std::vector<MigrationDraft>& drafts);

}  // namespace pgstack::migrate
