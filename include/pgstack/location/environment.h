// An environment of config/database.json as the user means it: the file, then the process
// environment on top. libpq's variables and DATABASE_URL override the file as users expect
// (PGHOST and PGPORT in external mode only: a local stack decides where it listens, and
// `pgstack env` itself exports PGPORT); the variable the config names for the password wins.
#pragma once

#include <string>

#include "pgstack/core/config.h"
#include "pgstack/core/status.h"

namespace pgstack::location {

// Applies the overrides above to an environment parsed from the file.
Status ApplyEnvOverrides(core::Environment& env, const core::EnvLookup& lookup);

// core::LoadEnvironment, then ApplyEnvOverrides.
Result<core::Environment> LoadEnvironment(const std::string& file, const std::string& name,
                                          const core::EnvLookup& lookup);

}  // namespace pgstack::location
