// pgstack: stands up, checks, migrates and load-tests a PostgreSQL 17 + PgBouncer stack.
// main is the only place that turns errors into exit statuses.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.h"
#include "context.h"
#include "help_format.h"
#include "parse_errors.h"
#include "pgstack/core/interrupt.h"
#include "pgstack/core/terminal.h"
#include "pgstack/stack/pg_binaries.h"
#include "version.h"

namespace {

// `pgstack --version`: the release, the revision, and the PostgreSQL `up` would run, as text
// for people or, with --json, as one document.
std::string VersionText(pgstack::cli::Reporter& out, bool json) {
  auto pg = pgstack::stack::FindPgBinaries("", "", pgstack::core::SystemProcessRunner());
  if (json) {
    nlohmann::json postgres = pg.ok() ? nlohmann::json{{"version", pg->version}, {"dir", pg->dir}}
                                      : nlohmann::json{{"error", pg.status().message()}};
    out.Json({{"version", pgstack::cli::kVersion},
              {"revision", pgstack::cli::kRevision},
              {"postgres", std::move(postgres)}});
    return "";
  }
  std::string text =
      std::string("pgstack ") + pgstack::cli::kVersion + " (git " + pgstack::cli::kRevision + ")\n";
  text += pg.ok() ? "PostgreSQL " + pg->version + " in " + pg->dir
                  : "PostgreSQL: " + pg.status().message();
  return text;
}

// The global switches (--json, ...) of argv, for a parse that stopped before it reached them.
void SetGlobalSwitches(int argc, char** argv, pgstack::cli::GlobalOptions& global) {
  for (int i = 1; i < argc; ++i) {
    const auto* flag = pgstack::cli::FindGlobalFlag(argv[i]);
    if (flag && flag->is_set) global.*flag->is_set = true;
    if (flag && flag->value) ++i;
  }
}

// Help fits the terminal, or $COLUMNS; written to a pipe or a file, 80 columns.
size_t HelpWidth() {
  auto style = pgstack::core::DetectTextStyle(STDOUT_FILENO, pgstack::core::ProcessEnv());
  if (style.width) return *style.width;
  const char* columns = std::getenv("COLUMNS");
  return columns && std::atoi(columns) > 0 ? static_cast<size_t>(std::atoi(columns)) : 80;
}

// Parses the command line and runs the command; returns the exit status.
int Run(int argc, char** argv, pgstack::cli::Context& ctx) {
  CLI::App app{
      "pgstack: a PostgreSQL 17 + PgBouncer stack for the test platform, from nothing to "
      "verified, migrated and measured"};
  app.name("pgstack");  // not argv[0]: usage lines read the same wherever the binary lives
  app.formatter(pgstack::cli::MakeHelpFormatter(HelpWidth()));
  app.fallthrough();  // global flags may follow the subcommand too
  app.require_subcommand(1);
  app.set_version_flag(
      "--version",
      [&ctx, argc, argv] {
        SetGlobalSwitches(argc, argv, ctx.global);
        return VersionText(ctx.out, ctx.global.json);
      },
      "the version, its git revision and PostgreSQL's");
  pgstack::cli::AddGlobalFlags(app, ctx.global);

  struct Runner {
    const pgstack::cli::CommandSpec* spec;
    pgstack::cli::RunFn run;
  };
  std::map<CLI::App*, Runner> runners;
  for (const auto& spec : pgstack::cli::Commands()) {
    CLI::App* sub = app.add_subcommand(spec.name, spec.help);
    runners[sub] = {&spec, spec.add(*sub, ctx)};
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --version with --json has its document already; --help is text for people only.
    if (dynamic_cast<const CLI::CallForVersion*>(&e) && ctx.global.json) return 0;
    if (e.get_exit_code() == 0) {
      ctx.global.json = false;
      return app.exit(e);
    }
    // The parse stopped early, maybe before it set --json: a script that asked for JSON still
    // gets its one document.
    SetGlobalSwitches(argc, argv, ctx.global);
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
  for (auto& [sub, runner] : runners) {
    if (sub->parsed()) {
      if (runner.spec->env == pgstack::cli::ReadsEnv::kYes) {
        if (auto s = ctx.CheckEnvName(); !s.ok()) return ctx.out.Fail(s);
      }
      try {
        return runner.run();
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
