// The values a flag takes where they are a known list (--format, --from, --fail-on, --check, ...),
// declared where the flag is added, so that shell completion offers them and nothing repeats
// them. The command still checks the value itself, naming the nearest choice.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace pgstack::cli {

// Records `choices` for `flag`; returns `flag`, for chaining after add_option.
CLI::Option* WithChoices(CLI::Option* flag, std::vector<std::string> choices);

// The values recorded for `flag`; empty when it takes any value.
const std::vector<std::string>& ChoicesOf(const CLI::Option& flag);

}  // namespace pgstack::cli
