// pgstack: stands up, checks, migrates and load-tests a PostgreSQL 17 + PgBouncer stack.
// main is the only place that turns errors into exit statuses.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <map>
#include <string>

#include "commands.h"
#include "context.h"
#include "pgstack/core/interrupt.h"

namespace {

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// "did you mean" for an unknown subcommand, or "" when nothing is close.
std::string Suggest(const std::string& word) {
  std::string best;
  size_t best_d = 3;
  for (const auto& c : pgstack::cli::Commands()) {
    size_t d = EditDistance(word, c.name);
    if (d < best_d) {
      best_d = d;
      best = c.name;
    }
  }
  return best;
}

// Parses the command line and runs the command; returns the exit status.
int Run(int argc, char** argv, pgstack::cli::Context& ctx) {
  CLI::App app{
      "pgstack: a PostgreSQL 17 + PgBouncer stack for the test platform, from nothing to "
      "verified, migrated and measured"};
  app.fallthrough();  // global flags may follow the subcommand too
  app.require_subcommand(1);
  pgstack::cli::AddGlobalFlags(app, ctx.global);

  std::map<CLI::App*, pgstack::cli::RunFn> runners;
  for (const auto& spec : pgstack::cli::Commands()) {
    CLI::App* sub = app.add_subcommand(spec.name, spec.help);
    runners[sub] = spec.add(*sub, ctx);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {  // --help: text for people, no JSON document
      ctx.global.json = false;
      return app.exit(e);
    }
    std::string msg = e.what();
    // The first bare word (not a global flag or its value) is the command the user meant.
    for (int i = 1; i < argc; ++i) {
      std::string a = argv[i];
      if (const auto* flag = pgstack::cli::FindGlobalFlag(a)) {
        if (flag->value) ++i;
        continue;
      }
      if (a.rfind("-", 0) == 0) continue;
      bool known = false;
      for (const auto& c : pgstack::cli::Commands()) known = known || a == c.name;
      if (!known) {
        msg = "unknown command '" + a + "'";
        if (auto s = Suggest(a); !s.empty()) msg += " (did you mean '" + s + "'?)";
      }
      break;
    }
    // The parse stopped early, maybe before it set --json: a script that asked for JSON still
    // gets its one document.
    for (int i = 1; i < argc; ++i) {
      const auto* flag = pgstack::cli::FindGlobalFlag(argv[i]);
      if (flag && flag->is_set) ctx.global.*flag->is_set = true;
      if (flag && flag->value) ++i;
    }
    return ctx.out.Fail(pgstack::Status::InvalidInput(msg));
  }
  for (auto& [sub, run] : runners) {
    if (sub->parsed()) {
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
  pgstack::cli::Context ctx;
  int code = Run(argc, argv, ctx);
  ctx.out.Finish();
  return code;
}
