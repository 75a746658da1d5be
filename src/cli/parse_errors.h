// A command line that did not parse, explained in the user's words: the unknown command or action
// with the nearest known one ("did you mean"), at every level, or the action a command needs.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace pgstack::cli {

// The name in `names` nearest to `word` (fewer than three edits), or "".
std::string Nearest(const std::string& word, const std::vector<std::string>& names);

// "unknown migrate action 'stauts' (did you mean 'status'?)" when a word of argv names no
// command, "pgstack migrate needs an action: ..." when one is missing, else CLI11's own message.
std::string ExplainParseError(const CLI::App& root, int argc, const char* const* argv,
                              const std::string& cli11_message);

}  // namespace pgstack::cli
