// `pgstack migrate dump` and `migrate diff`: the declarative schema commands, kept apart from
// cmd_migrate.cpp.
#pragma once

#include <CLI/CLI.hpp>

#include "context.h"
#include "migrate_flags.h"

namespace pgstack::cli {

// The row of `dump` in migrate's action table (Needs::kDirectory: a source names its own
// server): its flags, and what runs it.
void AddDumpFlags(CLI::App& dump, MigrateFlags& f);
int RunDump(Context& ctx, const MigrateFlags& f, const migrate::Options& o);
// The row of `diff`, the same way.
void AddDiffFlags(CLI::App& diff, MigrateFlags& f);
int RunDiff(Context& ctx, const MigrateFlags& f, const migrate::Options& o);

}  // namespace pgstack::cli
