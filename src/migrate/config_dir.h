// The config's per-directory objects (migrate.lint_disable, migrate.history) are keyed by a
// directory as the user wrote it: "database/migrations", "./database/migrations/" and its
// absolute path all name the same one.
#pragma once

#include <string>

namespace pgstack::migrate::internal {

// Whether config key `key` names directory `dir`: the key resolved against the root of the
// project of config_file (wherever pgstack runs from), dir against the working directory.
bool ConfigKeyNamesDir(const std::string& key, const std::string& dir,
                       const std::string& config_file);

}  // namespace pgstack::migrate::internal
