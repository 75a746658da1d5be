// `migrate new NAME`: a new, empty migration file in pgstack's format (docs/migrations.md).
#pragma once

#include <string>

#include "pgstack/core/status.h"

namespace pgstack::migrate {

// Writes "<version>_<name>.sql" in dir (created when missing) and returns its path. The
// version continues a numbered sequence ("0007" after "0006") or, in an empty directory or one
// versioned by timestamps, is the UTC time (YYYYMMDDHHMMSS). kInvalidInput when the name is not
// [a-z0-9_]+ or the directory holds another format.
Result<std::string> NewMigration(const std::string& dir, const std::string& name);

}  // namespace pgstack::migrate
