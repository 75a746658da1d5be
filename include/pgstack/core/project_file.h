// Files of the project pgstack serves (database/setup/..., config/...), found the same way
// everywhere: beside the config file's folder (a checkout run from anywhere), in the working
// folder, else in the source tree the binary was built from.
#pragma once

#include <string>

namespace pgstack::core {

// The first candidate that exists, else the source tree's path (so that a message names it).
std::string ProjectFile(const std::string& relative, const std::string& config_file = "");

}  // namespace pgstack::core
