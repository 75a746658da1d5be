// `pgstack migrate dump` (and, next, `migrate diff`): the declarative schema commands, kept apart
// from cmd_migrate.cpp.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>

#include "context.h"

namespace pgstack::cli {

// Adds `dump` under `migrate`; returns what runs it, or nullopt when it was not chosen. dir and
// format are migrate's own --dir and --format values (read at run time: they must outlive the
// returned function).
std::function<std::optional<int>()> RegisterMigrateSchema(CLI::App& migrate, Context& ctx,
                                                          const std::string& dir,
                                                          const std::string& format);

}  // namespace pgstack::cli
