// A command line that did not parse, explained in the user's words: the unknown command, action
// or flag with the nearest known one ("did you mean"), at every level, or the action a command
// needs.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace pgstack::cli {

// "unknown migrate action 'stauts' (did you mean 'status'?)" when a word of argv names no
// command, "unknown flag '--dri' for pgstack migrate up (did you mean '--dir'?)" when a flag
// names none that works there, "pgstack migrate needs an action: ..." when one is missing, else
// CLI11's own message.
std::string ExplainParseError(const CLI::App& root, int argc, const char* const* argv,
                              const std::string& cli11_message);

}  // namespace pgstack::cli
