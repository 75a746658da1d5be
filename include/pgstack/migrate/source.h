// Reads a migrations directory into a MigrationSet, in whichever format it is written:
// pgstack's own, golang-migrate, dbmate, Flyway, sqlx or diesel (docs/migrations.md). The
// format is detected from the names (and, for "<version>_<name>.sql" files, from their markers)
// unless one is forced. Everything a file can get wrong is found here, before any connection:
// unparseable names, two formats mixed, duplicate versions, a down file without its up file,
// invalid UTF-8, an empty migration, an unterminated string or comment, BEGIN/COMMIT in the
// middle of a file. Each is a kInvalidInput error naming the file (and line:column).
#pragma once

#include <optional>
#include <string>

#include "pgstack/core/status.h"
#include "pgstack/migrate/flyway_placeholders.h"
#include "pgstack/migrate/migration.h"

namespace pgstack::migrate {

// What a read does with a file whose SQL cannot be made from its text although its name and
// checksum can (a Flyway placeholder without a value).
enum class Unreadable {
  kFail,  // the read fails: one kInvalidInput naming every such file
  kList,  // the read succeeds; such a migration has Migration::unreadable set, and no SQL
};

// flyway: what Flyway scripts' ${...} placeholders stand for (flyway_placeholders.h); when null,
// the FLYWAY_PLACEHOLDERS_* variables and the built-ins known without a connection.
Result<MigrationSet> ReadMigrations(const std::string& dir,
                                    std::optional<Format> forced = std::nullopt,
                                    const FlywayPlaceholders* flyway = nullptr,
                                    Unreadable unreadable = Unreadable::kFail);

}  // namespace pgstack::migrate
