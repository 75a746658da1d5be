// Looking for a secret in a file without loading it whole: server logs with log_statement=all
// grow large.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "pgstack/core/status.h"

namespace pgstack::verify {

// The 1-based line of the first occurrence of `secret` in the file, nullopt when it is absent.
// An error when the file cannot be read.
Result<std::optional<long long>> FindSecretInFile(const std::string& path, std::string_view secret);

}  // namespace pgstack::verify
