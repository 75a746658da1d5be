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

// Where `cmake --install` puts `relative` beside the binary (<prefix>/share/pgstack/relative),
// whether or not it is there; "" when the binary's own path is unknown.
std::string InstallPath(const std::string& relative);

// InstallPath(relative), when the binary runs from an install prefix and the file is there.
std::optional<std::string> InstalledFile(const std::string& relative);

// The root of the project a config file belongs to, which its relative paths are relative to:
// the folder above its config/ folder (config/database.json), else the file's own folder.
std::string ConfigRoot(const std::string& config_file);

// The first candidate that exists (the project's, then the installed one), else the source
// tree's path (so that a message names it).
std::string ProjectFile(const std::string& relative, const std::string& config_file = "");

}  // namespace pgstack::core
