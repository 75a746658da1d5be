// The commands as CLI11 holds them, walked the same way by help, "did you mean", shell
// completion and the man page, so that all four always agree with the command table.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace pgstack::cli {

// "pgstack migrate up" for the migrate subcommand "up".
std::string CommandPath(const CLI::App& app);

// The named subcommands of `app`: the root's commands, a command's actions.
std::vector<const CLI::App*> Subcommands(const CLI::App& app);
std::vector<std::string> SubcommandNames(const CLI::App& app);

// `app` and every command below it, parents before their children.
std::vector<const CLI::App*> CommandTree(const CLI::App& app);

// The flags `app` itself declares (not --help, not positionals).
std::vector<const CLI::Option*> OwnFlags(const CLI::App& app);

// Whether the flag takes a value (`--dir DIR`) rather than being a switch (`--json`).
bool TakesValue(const CLI::Option& flag);

}  // namespace pgstack::cli
