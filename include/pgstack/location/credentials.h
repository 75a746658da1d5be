// The password of the application role of a local stack: the environment's, else the one
// `up` generated and keeps in credentials.json (0600).
#pragma once

#include <optional>
#include <string>

#include "pgstack/core/config.h"
#include "pgstack/core/status.h"
#include "pgstack/location/state_paths.h"

namespace pgstack::location {

// The kept password, nullopt when none was generated.
Result<std::optional<std::string>> ReadCredentials(const StatePaths& paths);
Status WriteCredentials(const StatePaths& paths, const std::string& password);
// Puts credentials.json back to 0600 when something loosened it; returns the mode it had then,
// nullopt when there was nothing to repair (or no file).
Result<std::optional<unsigned>> SecureCredentials(const StatePaths& paths);

// The role's password, by precedence: the variable the config names (password_env) when set,
// else the one kept in credentials.json; kInvalidInput naming the variable when neither. `up`
// keeps the variable's value in credentials.json too, so that a command run without the variable
// (`env`, `verify` in another shell) uses the password the role has.
Result<std::string> LocalPassword(const core::Environment& env, const StatePaths& paths);
// Where LocalPassword takes it from, for people: "$TEST_PLATFORM_DB_PASSWORD" or the path of
// credentials.json.
std::string PasswordSource(const core::Environment& env, const StatePaths& paths);

}  // namespace pgstack::location
