// `pgstack migrate lint` and `pgstack migrate drift`, kept apart from cmd_migrate.cpp.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "context.h"
#include "migrate_flags.h"
#include "pgstack/core/config.h"
#include "pgstack/core/status.h"
#include "pgstack/location/endpoints.h"
#include "pgstack/migrate/flyway_placeholders.h"
#include "pgstack/migrate/runner.h"
#include "pgstack/migrate/trace.h"
#include "pgstack/pg/conn_params.h"

namespace pgstack::cli {

// What Flyway scripts' placeholders stand for with this environment and connection: the
// config's migrate.flyway_placeholders, FLYWAY_PLACEHOLDERS_* variables, the built-ins.
migrate::FlywayPlaceholders FlywayPlaceholdersOf(const core::Environment& env,
                                                 const pg::ConnParams& conn);

// The history directory `dir` keeps: `flag` (--history) when given, else the config's
// migrate.history entry for it, else the default. kInvalidInput naming the flag or the config
// key for a bad name.
Result<std::string> HistoryNameOf(const core::Environment& env, const std::string& dir,
                                  const std::string& flag);

// migrate's options for reading a directory and its history on the stack's server (direct):
// --format checked, the environment loaded, the history named (HistoryNameOf, `history` being
// --history's value); `where` gets the stack's endpoints when given.
Result<migrate::Options> InspectOptions(Context& ctx, const std::string& dir,
                                        const std::string& format, const std::string& history,
                                        location::Endpoints* where = nullptr);

// The scratch database's server: the stack's, reached as its superuser, with the configured
// extensions; progress lines go to ctx.
migrate::ScratchOptions ScratchOf(Context& ctx, const location::Endpoints& where,
                                  const core::Environment& env);

// The rows of `lint` and `drift` in migrate's action table (Needs::kDirectory: each reads the
// database only if it can, and says so): lint's flags, and what runs each.
void AddLintFlags(CLI::App& lint, MigrateFlags& f);
int RunLint(Context& ctx, const MigrateFlags& f, const migrate::Options& o);
int RunDrift(Context& ctx, const MigrateFlags& f, const migrate::Options& o);

}  // namespace pgstack::cli
