// The table of subcommands. Adding one is a cmd_<name>.cpp with its Register function and a row
// in kCommands (commands.cpp).
#pragma once

#include <span>

#include "context.h"

namespace pgstack::cli {

std::span<const CommandSpec> Commands();

RunFn RegisterUp(CLI::App& sub, Context& ctx);
RunFn RegisterDown(CLI::App& sub, Context& ctx);
RunFn RegisterStatus(CLI::App& sub, Context& ctx);
RunFn RegisterDestroy(CLI::App& sub, Context& ctx);
RunFn RegisterEnv(CLI::App& sub, Context& ctx);
RunFn RegisterPromote(CLI::App& sub, Context& ctx);
RunFn RegisterVerify(CLI::App& sub, Context& ctx);
RunFn RegisterMigrate(CLI::App& sub, Context& ctx);
RunFn RegisterBench(CLI::App& sub, Context& ctx);
RunFn RegisterCache(CLI::App& sub, Context& ctx);
RunFn RegisterTestdb(CLI::App& sub, Context& ctx);
RunFn RegisterHelp(CLI::App& sub, Context& ctx);
RunFn RegisterCompletion(CLI::App& sub, Context& ctx);
RunFn RegisterMan(CLI::App& sub, Context& ctx);

}  // namespace pgstack::cli
