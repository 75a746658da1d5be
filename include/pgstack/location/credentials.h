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

// The environment's password, else the kept one; kInvalidInput naming the variable when neither.
Result<std::string> LocalPassword(const core::Environment& env, const StatePaths& paths);

}  // namespace pgstack::location
