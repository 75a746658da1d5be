// Environment variables written for whoever reads them: a POSIX shell's eval, fish's source,
// a dotenv file (docker run --env-file, and most frameworks), or JSON.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pgstack/core/status.h"

namespace pgstack::cli {

enum class EnvFormat { kSh, kFish, kDotenv, kJson };
// What `eval` reads: the format when none is asked for.
constexpr EnvFormat kDefaultEnvFormat = EnvFormat::kSh;
std::string_view EnvFormatName(EnvFormat f);
// The format `text` names; kInvalidInput naming `flag` and the nearest format otherwise.
Result<EnvFormat> ParseEnvFormat(std::string_view flag, std::string_view text);
// sh, fish, dotenv, json: for help, errors and completion.
std::vector<std::string> EnvFormatNames();

using EnvVars = std::vector<std::pair<std::string, std::string>>;

// Single-quoted for a POSIX shell: safe whatever the value holds. The one shell quoting of the
// CLI (env's lines, the command lines it suggests, completion scripts).
std::string ShellQuote(const std::string& v);

// The text that sets vars, one line each (kJson: one object). A dotenv line holds its value
// verbatim, as docker's --env-file reads it, so a value with a line break is kInvalidInput.
Result<std::string> FormatSet(const EnvVars& vars, EnvFormat f);
// The text that unsets names; kInvalidInput for dotenv, which has no way to say it.
Result<std::string> FormatUnset(const std::vector<std::string>& names, EnvFormat f);

}  // namespace pgstack::cli
