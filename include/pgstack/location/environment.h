// An environment of config/database.json as the user means it: the file, then the process
// environment on top. For a server the user points pgstack at (external mode), libpq's variables
// and DATABASE_URL override the file as users expect; where both name a field, DATABASE_URL
// wins (as dbmate users expect), and PG* fill in what the URL leaves out. A local stack's own state
// decides its endpoints and credentials: ambient PGPASSWORD, PGUSER, PGHOST, ... (which `eval
// "$(pgstack env)"` of another stack exports) are ignored there, so that no command ever sets a
// role's password or aims at another stack from them. In both modes the variable the config names
// for the password (password_env) is the role's password when set.
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
