// pgstack: stands up, checks, migrates and load-tests a PostgreSQL 17 + PgBouncer stack.
// main is the only place that turns errors into exit statuses.
#include <CLI/CLI.hpp>
#include <iostream>
#include <map>
#include <string>

#include "commands.h"
#include "context.h"
#include "help_format.h"
#include "parse_errors.h"
#include "pgstack/core/interrupt.h"
#include "pgstack/stack/pg_binaries.h"
#include "version.h"

namespace {

// `pgstack --version`: the release, the revision, and the PostgreSQL `up` would run.
std::string VersionText() {
  std::string text =
      std::string("pgstack ") + pgstack::cli::kVersion + " (git " + pgstack::cli::kRevision + ")\n";
  auto pg = pgstack::stack::FindPgBinaries("", "", pgstack::core::SystemProcessRunner());
  text += pg.ok() ? "PostgreSQL " + pg->version + " in " + pg->dir
                  : "PostgreSQL: " + pg.status().message();
  return text;
}

// Parses the command line and runs the command; returns the exit status.
int Run(int argc, char** argv, pgstack::cli::Context& ctx) {
  CLI::App app{
      "pgstack: a PostgreSQL 17 + PgBouncer stack for the test platform, from nothing to "
      "verified, migrated and measured"};
  app.name("pgstack");  // not argv[0]: usage lines read the same wherever the binary lives
  app.formatter(pgstack::cli::MakeHelpFormatter());
  app.fallthrough();  // global flags may follow the subcommand too
  app.require_subcommand(1);
  app.set_version_flag("--version", VersionText, "the version, its git revision and PostgreSQL's");
  pgstack::cli::AddGlobalFlags(app, ctx.global);

  std::map<CLI::App*, pgstack::cli::RunFn> runners;
  for (const auto& spec : pgstack::cli::Commands()) {
    CLI::App* sub = app.add_subcommand(spec.name, spec.help);
    runners[sub] = spec.add(*sub, ctx);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {  // --help, --version: text for people, no JSON document
      ctx.global.json = false;
      return app.exit(e);
    }
    // The parse stopped early, maybe before it set --json: a script that asked for JSON still
    // gets its one document.
    for (int i = 1; i < argc; ++i) {
      const auto* flag = pgstack::cli::FindGlobalFlag(argv[i]);
      if (flag && flag->is_set) ctx.global.*flag->is_set = true;
      if (flag && flag->value) ++i;
    }
    return ctx.out.Fail(
        pgstack::Status::InvalidInput(pgstack::cli::ExplainParseError(app, argc, argv, e.what())));
  }
  // An empty value means "find it" only when the flag is absent; given empty, it is a mistake.
  for (const char* flag : {"--state-dir", "--config"}) {
    if (app.count(flag) > 0 && ctx.global.*pgstack::cli::FindGlobalFlag(flag)->value == "") {
      return ctx.out.Fail(pgstack::Status::InvalidInput(
          std::string(flag) + " \"\": empty; give a path (or leave the flag out)"));
    }
  }
  ctx.ResolveProject();
  for (auto& [sub, run] : runners) {
    if (sub->parsed()) {
      if (pgstack::cli::UsesEnvironment(sub->get_name())) {
        if (auto s = ctx.CheckEnvName(); !s.ok()) return ctx.out.Fail(s);
      }
      try {
        return run();
      } catch (const std::exception& e) {
        return ctx.out.Fail(pgstack::Status::Failure(std::string("internal error: ") + e.what()));
      }
    }
  }
  return static_cast<int>(pgstack::Code::kInvalidInput);
}

}  // namespace

int main(int argc, char** argv) {
  // From here on Ctrl-C and SIGTERM stop work at its next safe point (exit 130 or 143).
  pgstack::core::InstallInterruptHandlers();
  try {
    pgstack::cli::Context ctx;
    int code = Run(argc, argv, ctx);
    ctx.out.Finish();
    return code;
  } catch (const std::exception& e) {  // out of memory, or a bug: still one line and a status
    std::cerr << "pgstack: internal error: " << e.what() << '\n';
    return static_cast<int>(pgstack::Code::kFailure);
  }
}
