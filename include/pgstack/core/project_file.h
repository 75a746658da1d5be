// Files of the project pgstack serves (database/setup/..., config/...), found the same way
// everywhere: beside the config file's folder (a checkout run from anywhere), in the project's
// root found from the working folder as git finds a repository, in the working folder, else in
// the source tree the binary was built from.
#pragma once

#include <optional>
#include <string>

namespace pgstack::core {

// The project's root as git finds a repository: `start` (default the working folder) or the
// nearest folder above it that holds config/database.json or a .pgstack state directory;
// nullopt when none does.
std::optional<std::string> FindProjectRoot(const std::string& start = "");

// `relative` among the files `cmake --install` put beside the binary (<prefix>/share/pgstack),
// when the binary runs from an install prefix and the file is there.
std::optional<std::string> InstalledFile(const std::string& relative);

// The first candidate that exists (the project's, then the installed one), else the source
// tree's path (so that a message names it).
std::string ProjectFile(const std::string& relative, const std::string& config_file = "");

}  // namespace pgstack::core
