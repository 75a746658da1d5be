// pgstack verify [--check ID ...] [--list]: every validation of the setup plan as a named check.
#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "commands.h"
#include "flag_choices.h"
#include "pgstack/core/interrupt.h"
#include "pgstack/location/endpoints.h"
#include "pgstack/stack/stack.h"
#include "pgstack/verify/check.h"
#include "pgstack/verify/report.h"
#include "pgstack/verify/verify.h"

namespace pgstack::cli {

namespace {

// What --check takes: every group ("pgbouncer") and every check's id ("pgbouncer.auth").
std::vector<std::string> CheckNames() {
  std::vector<std::string> names;
  for (const auto& check : verify::AllChecks()) {
    std::string group(check.id.substr(0, check.id.find('.')));
    if (std::find(names.begin(), names.end(), group) == names.end()) names.push_back(group);
  }
  for (const auto& check : verify::AllChecks()) names.emplace_back(check.id);
  return names;
}

struct VerifyOptions {
  std::vector<std::string> checks;
  bool list = false;
  std::string dir;  // empty: the project's database/migrations
};

// A local stack that is not (all) running, in one line with how to start it; "" when it runs,
// in external mode, and when that cannot be known (the checks then say what they find).
std::string Stopped(const Context& ctx, const core::Environment& env) {
  if (env.mode != core::Mode::kLocal) return "";
  auto s = stack::GetStatus(ctx.global.state_dir);
  if (!s.ok() || !s->exists || (s->postgres_running && s->pgbouncer_running)) return "";
  bool partly = s->postgres_running || s->pgbouncer_running;
  return fmt::format("the stack in {} is {}: `{}` starts it; the checks that need it are skipped",
                     ctx.global.state_dir, partly ? "partly stopped" : "stopped",
                     ctx.CommandLine("up"));
}

}  // namespace

RunFn RegisterVerify(CLI::App& sub, Context& ctx) {
  auto opts = std::make_shared<VerifyOptions>();
  WithChoices(sub.add_option("--check", opts->checks,
                             "run only these checks: ids or groups (postgres, jsonb, pgbouncer, "
                             "security)")
                  ->delimiter(','),
              CheckNames());
  sub.add_flag("--list", opts->list, "list the checks and what each proves, run nothing");
  sub.add_option("--dir", opts->dir,
                 "migrations directory schema.drift compares with (default: the project's "
                 "database/migrations)");
  return [&ctx, opts] {
    auto selected = verify::SelectChecks(opts->checks);
    if (!selected.ok()) return ctx.out.Fail(selected.status());
    if (opts->list) {
      nlohmann::json doc = nlohmann::json::array();
      for (const auto& check : verify::AllChecks()) {
        doc.push_back({{"id", check.id}, {"proves", check.proves}, {"fix", check.fix}});
      }
      ctx.out.Json({{"checks", doc}});
      for (const std::string& line : verify::RenderList(verify::AllChecks())) ctx.out.Line(line);
      return 0;
    }
    auto env = ctx.LoadEnv();
    if (!env.ok()) return ctx.out.Fail(env.status());
    // With no stack to look at (no state dir, no password) every check would fail the same way:
    // say it once, as every command does.
    if (auto where = location::ResolveEndpoints(*env, ctx.global.state_dir); !where.ok()) {
      return ctx.out.Fail(where.status());
    }
    std::string stopped = Stopped(ctx, *env);
    // Said first, once: the table's skips then only repeat why.
    if (!stopped.empty()) ctx.out.Notice("pgstack: " + stopped);
    verify::Report report = verify::RunChecks(
        *env, ctx.global.state_dir, *selected,
        {.progress =
             [&ctx](const auto& check) { ctx.out.Progress("verify: " + std::string(check.id)); },
         .migrations_dir = opts->dir,
         .asked_by_name = !opts->checks.empty(),
         .stopped = stopped.empty() ? "" : "skipped: the stack is stopped"});
    ctx.out.Progress("");
    // A report cut short by Ctrl-C or SIGTERM is not shown as if it were whole.
    if (Status s = core::CheckInterrupt("verify"); !s.ok()) return ctx.out.Fail(s);
    ctx.out.Json(verify::ToJson(report));
    for (const std::string& line : verify::RenderTable(report, ctx.out.Style())) ctx.out.Line(line);
    // A stopped stack fails its *.running checks: exit 3 like any failed check.
    if (!stopped.empty()) ctx.out.Json({{"stopped", stopped}});
    return report.ok() ? 0 : static_cast<int>(Code::kCheckFailed);
  };
}

}  // namespace pgstack::cli
