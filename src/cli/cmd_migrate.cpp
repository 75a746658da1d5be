// pgstack migrate <action>: the actions in one table (kActions, at the end); flags into
// migrate::Options, the library does the work (src/migrate/), the reporter prints.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <memory>

#include "cmd_migrate_lint.h"
#include "cmd_migrate_schema.h"
#include "commands.h"
#include "flag_choices.h"
#include "migrate_flags.h"
#include "pgstack/core/duration.h"
#include "pgstack/core/nearest.h"
#include "pgstack/core/text_table.h"
#include "pgstack/location/endpoints.h"
#include "pgstack/migrate/adopt.h"
#include "pgstack/migrate/history_name.h"
#include "pgstack/migrate/runner.h"
#include "pgstack/migrate/scaffold.h"
#include "pgstack/migrate/status_json.h"

namespace pgstack::cli {

migrate::FlywayPlaceholders FlywayPlaceholdersOf(const core::Environment& env,
                                                 const pg::ConnParams& conn) {
  return migrate::MakeFlywayPlaceholders(
      env.migrate.flyway_placeholders,
      {.user = conn.user, .database = conn.dbname, .environment = env.name});
}

Result<std::string> HistoryNameOf(const core::Environment& env, const std::string& dir,
                                  const std::string& flag) {
  if (flag.empty()) return migrate::ConfigHistoryName(env.migrate, env.file, dir);
  auto named = migrate::HistoryNamed(flag);
  if (!named.ok()) return named.status().WithContext("--history");
  return flag;
}

namespace {

using nlohmann::json;

using Flags = MigrateFlags;

Result<std::optional<migrate::Version>> ParseVersionFlag(const std::string& text,
                                                         const std::string& flag) {
  if (text.empty()) return std::optional<migrate::Version>();
  auto v = migrate::Version::Parse(text);
  if (!v) {
    return Status::InvalidInput(
        fmt::format("{} {}: not a version (digits, optionally dot-separated)", flag, text));
  }
  return std::optional<migrate::Version>(*v);
}

// Flags that contradict each other or name nothing, before anything is read or connected to.
Status CheckFlags(const Flags& f) {
  std::vector<std::string> tools = migrate::AdoptableFormatNames();
  if (!f.from.empty() && std::find(tools.begin(), tools.end(), f.from) == tools.end()) {
    return Status::InvalidInput(core::UnknownChoice("--from", f.from, tools));
  }
  if (f.pooled && f.direct) return Status::InvalidInput("give --pooled or --direct, not both");
  if (f.count && !f.to.empty()) {
    return Status::InvalidInput(
        fmt::format("down: give a count or --to, not both (got {} and --to {})", *f.count, f.to));
  }
  if (f.count && *f.count < 1) {
    return Status::InvalidInput(fmt::format("down {}: the count is 1 or more", *f.count));
  }
  return Status::Ok();
}

Result<migrate::Options> MakeOptions(const Flags& f, Context& ctx) {
  migrate::Options o;
  o.dir = f.dir;
  PGSTACK_ASSIGN_OR_RETURN(o.format, migrate::ParseFormatFlag("--format", f.format));
  auto ms = [](std::string_view text, std::string_view flag) -> Result<int> {
    PGSTACK_ASSIGN_OR_RETURN(std::chrono::milliseconds d, core::ParseDuration(text, flag));
    return static_cast<int>(d.count());
  };
  PGSTACK_ASSIGN_OR_RETURN(o.wait_ms, ms(f.lock_timeout, "--lock-timeout"));
  PGSTACK_ASSIGN_OR_RETURN(o.lease_ms, ms(f.lease, "--lease"));
  PGSTACK_ASSIGN_OR_RETURN(o.lock_timeout_ms, ms(f.pg_lock_timeout, "--pg-lock-timeout"));
  if (o.lease_ms < 1000) return Status::InvalidInput("--lease: at least 1s");
  if (!f.statement_timeout.empty()) {
    PGSTACK_ASSIGN_OR_RETURN(o.statement_timeout_ms,
                             ms(f.statement_timeout, "--statement-timeout"));
  }
  if (f.retries < 0) return Status::InvalidInput("--retries: must be 0 or more");
  o.retries = f.retries;
  o.allow_out_of_order = f.allow_out_of_order;
  PGSTACK_ASSIGN_OR_RETURN(core::Environment env, ctx.LoadEnv());
  PGSTACK_ASSIGN_OR_RETURN(location::Endpoints ep,
                           location::ResolveEndpoints(env, ctx.global.state_dir));
  PGSTACK_ASSIGN_OR_RETURN(o.history, HistoryNameOf(env, f.dir, f.history));
  o.conn = f.pooled ? ep.pooled : ep.direct;
  o.conn.application_name = "pgstack migrate";
  o.flyway = FlywayPlaceholdersOf(env, o.conn);
  o.on_event = [&ctx](const std::string& what) {
    ctx.out.Progress(what);
    ctx.out.Detail(what);
  };
  // A wait for another runner is said on stderr even without a terminal or --verbose (and with
  // --json): otherwise a run stuck behind a dead runner's lease looks hung.
  o.on_wait = [&ctx](const std::string& what) {
    if (ctx.global.quiet || ctx.global.verbose) return;  // --verbose says it through on_event
    ctx.out.Progress("");
    std::cerr << what << '\n';
  };
  return o;
}

json ProblemsJson(const migrate::Plan& plan) {
  json out = json::array();
  for (const auto& p : plan.problems) {
    out.push_back({{"kind", migrate::ProblemKindName(p.kind)},
                   {"version", p.version},
                   {"name", p.name},
                   {"file", p.file},
                   {"detail", p.detail}});
  }
  return out;
}

void PrintProblems(Context& ctx, const migrate::Plan& plan) {
  for (const auto& p : plan.problems) {
    ctx.out.Line(fmt::format("{:<9} {} {}: {}{}", migrate::ProblemKindName(p.kind), p.version,
                             p.name, p.file.empty() ? "" : p.file + ": ", p.detail));
  }
}

json PendingJson(const migrate::PendingEntry& e) {
  const migrate::Migration& m = *e.migration;
  json j = {{"version", m.key()},
            {"name", m.name},
            {"file", m.up.path},
            {"mode", migrate::RunModeName(m.UpMode())},
            {"statements", m.up.statements.size()}};
  if (m.unwritten) j["empty"] = true;
  if (!m.unreadable.empty()) j["unreadable"] = m.unreadable;  // why, for each of its files
  if (e.partial) {
    j["partial"] = {{"statements_done", e.partial->statements_done},
                    {"statements_total", e.partial->statements_total}};
  }
  return j;
}

// Said in `plan` of a scaffolded file that has no SQL yet, or one whose SQL cannot be made:
// listed, but `up` refuses it.
std::string EmptyNote(const migrate::Migration& m) {
  if (!m.unreadable.empty()) {
    std::string why;
    for (const auto& reason : m.unreadable) why += (why.empty() ? "" : "; ") + reason;
    return "  cannot read: " + why + " (up refuses it)";
  }
  return m.unwritten ? "  empty: write its SQL first (up refuses it)" : "";
}

// A pending migration's name in status, with how it would run and what stops it: notes belong
// to the name, which wraps, not to the when and by columns, which are the history's.
std::string PendingName(const migrate::Migration& m) {
  std::string note = m.UpMode() == migrate::RunMode::kStatements ? "statement by statement" : "";
  auto add = [&note](const std::string& more) { note += (note.empty() ? "" : "; ") + more; };
  if (m.unwritten) add("empty: write its SQL first");
  for (const auto& reason : m.unreadable) add("cannot read: " + reason);
  return note.empty() ? m.name : m.name + " (" + note + ")";
}

int ShowStatus(Context& ctx, const Flags&, const migrate::Options& o) {
  migrate::Options listing = o;
  listing.unreadable = migrate::Unreadable::kList;  // status lists what it can, marking the rest
  auto rep = migrate::Inspect(listing);
  if (!rep.ok()) return ctx.out.Fail(rep.status());
  const migrate::Report& r = **rep;
  if (ctx.out.json()) {
    json pending = json::array();
    for (const auto& p : r.plan.pending) pending.push_back(PendingJson(p));
    std::string text;
    migrate::AppendStatusJson(text, r.plan.applied, o.dir, migrate::FormatName(r.set.format),
                              pending, ProblemsJson(r.plan));
    ctx.out.JsonText(std::move(text));
    return 0;
  }
  ctx.out.Line(fmt::format("{} ({} format): {} applied, {} pending, {} problem(s)", o.dir,
                           migrate::FormatName(r.set.format), r.plan.applied.size(),
                           r.plan.pending.size(), r.plan.problems.size()));
  // One aligned table; a baselined row ran nothing here, so it shows no time.
  std::vector<std::vector<std::string>> rows = {{"state", "version", "name", "ms", "when", "by"}};
  for (const auto& a : r.plan.applied) {
    bool baselined = a.row->kind == migrate::kKindBaseline;
    rows.push_back({baselined ? "baselined" : "applied", a.row->version, a.row->name,
                    baselined ? "-" : std::to_string(a.row->execution_ms), a.row->applied_at,
                    a.row->applied_by});
  }
  for (const auto& p : r.plan.pending) {
    rows.push_back({"pending", p.migration->key(), PendingName(*p.migration), "-", "", ""});
  }
  if (rows.size() > 1) {
    // On a terminal the name wraps to fit; state, version and time never do. A narrow one
    // leaves out by, then ms, then when (--json has them all).
    for (const std::string& line :
         core::AlignedTable(rows, {0, 1, 2, 4, 5}, ctx.out.Style(), 2, {5, 3, 4}))
      ctx.out.Line(line);
  }
  PrintProblems(ctx, r.plan);
  return 0;
}

int ShowPlan(Context& ctx, const Flags& f, const migrate::Options& o) {
  auto to = ParseVersionFlag(f.to, "--to");
  if (!to.ok()) return ctx.out.Fail(to.status());
  auto rep = migrate::Inspect(o, *to);
  if (!rep.ok()) return ctx.out.Fail(rep.status());
  const migrate::Plan& plan = (*rep)->plan;
  Status refusal = migrate::Refusal(plan);
  if (ctx.out.json()) {
    json pending = json::array();
    for (const auto& p : plan.pending) pending.push_back(PendingJson(p));
    ctx.out.Json(
        {{"pending", pending}, {"problems", ProblemsJson(plan)}, {"would_refuse", !refusal.ok()}});
  } else {
    if (plan.pending.empty()) ctx.out.Line("nothing to apply");
    int i = 0;
    for (const auto& p : plan.pending) {
      const migrate::Migration& m = *p.migration;
      std::string how = m.UpMode() == migrate::RunMode::kTransaction
                            ? "in one transaction with its history row"
                            : "statement by statement, progress recorded after each";
      ctx.out.Line(fmt::format(
          "{:>3}. {} {}  {} statement(s), {}{}{}", ++i, m.key(), m.name, m.up.statements.size(),
          how,
          p.partial ? fmt::format(" (resumes at statement {})", p.partial->statements_done + 1)
                    : "",
          EmptyNote(m)));
    }
    PrintProblems(ctx, plan);
  }
  return refusal.ok() ? 0 : ctx.out.Fail(refusal);
}

int Validate(Context& ctx, const Flags&, const migrate::Options& o) {
  auto rep = migrate::Validate(o);
  if (!rep.ok()) return ctx.out.Fail(rep.status());
  const migrate::Report& r = **rep;
  ctx.out.Json({{"format", migrate::FormatName(r.set.format)},
                {"migrations", r.set.migrations.size()},
                {"problems", ProblemsJson(r.plan)},
                {"valid", r.plan.problems.empty()}});
  PrintProblems(ctx, r.plan);
  if (!r.plan.problems.empty()) {
    return ctx.out.Fail(Status::CheckFailed(
        fmt::format("{} problem(s) in {} against the history", r.plan.problems.size(), o.dir)));
  }
  ctx.out.Line(fmt::format("{}: {} migrations ({} format) parse and match the history", o.dir,
                           r.set.migrations.size(), migrate::FormatName(r.set.format)));
  return 0;
}

// Whether the steps ran SQL (up, down) or only recorded something (baseline, adopt, repair):
// those have no run mode or time to show.
enum class Ran { kSql, kNothing };

// Prints what a run changed: on success its report; on failure the migrations that committed
// before the error (`committed`, told as they happened), and then the error, so that nobody has
// to guess what the database now holds.
int Report(Context& ctx, const Result<migrate::RunReport>& res, std::string_view verb,
           Ran ran = Ran::kSql, const std::vector<migrate::AppliedStep>& committed = {}) {
  ctx.out.Progress("");
  const std::vector<migrate::AppliedStep>& done = res.ok() ? res->steps : committed;
  json steps = json::array();
  for (const auto& s : done) {
    json step{{"version", s.version}, {"name", s.name}};
    if (ran == Ran::kNothing) {
      steps.push_back(step);
      ctx.out.Line(fmt::format("{} {} {}", verb, s.version, s.name));
      continue;
    }
    step.update(
        {{"mode", migrate::RunModeName(s.mode)}, {"execution_ms", s.ms}, {"resumed", s.resumed}});
    steps.push_back(step);
    ctx.out.Line(fmt::format("{} {} {} ({}, {} ms{})", verb, s.version, s.name,
                             migrate::RunModeName(s.mode), s.ms, s.resumed ? ", resumed" : ""));
  }
  if (!res.ok()) {
    ctx.out.Json({{std::string(verb), steps}});
    if (!done.empty()) {
      ctx.out.Line(fmt::format("{} {} migration(s) before the error below", verb, done.size()));
    }
    return ctx.out.Fail(res.status());
  }
  const migrate::RunReport& r = *res;
  ctx.out.Json({{std::string(verb), steps}, {"format", r.format}, {"waited_ms", r.waited_ms}});
  if (r.steps.empty()) ctx.out.Line(fmt::format("nothing to do ({} format)", r.format));
  return 0;
}

// Options that also collect each step as it commits, for Report() after a failure.
migrate::Options Collecting(const migrate::Options& o, std::vector<migrate::AppliedStep>& steps) {
  migrate::Options run = o;
  run.on_step = [&steps](const migrate::AppliedStep& s) { steps.push_back(s); };
  return run;
}

int New(Context& ctx, const Flags& f, const migrate::Options& o) {
  auto format = migrate::ParseFormatFlag("--format", f.format);
  if (!format.ok()) return ctx.out.Fail(format.status());
  auto paths = migrate::NewMigration(o.dir, f.name, *format);
  if (!paths.ok()) return ctx.out.Fail(paths.status());
  ctx.out.Json({{"created", paths->front()}, {"files", *paths}});
  for (const std::string& path : *paths) ctx.out.Line("created " + path);
  return 0;
}

int Up(Context& ctx, const Flags& f, const migrate::Options& o) {
  auto to = ParseVersionFlag(f.to, "--to");
  if (!to.ok()) return ctx.out.Fail(to.status());
  std::vector<migrate::AppliedStep> steps;
  return Report(ctx, migrate::Up(Collecting(o, steps), *to), "applied", Ran::kSql, steps);
}

int Down(Context& ctx, const Flags& f, const migrate::Options& o) {
  auto to = ParseVersionFlag(f.to, "--to");
  if (!to.ok()) return ctx.out.Fail(to.status());
  std::vector<migrate::AppliedStep> steps;
  return Report(ctx, migrate::Down(Collecting(o, steps), f.count, *to), "reverted", Ran::kSql,
                steps);
}

int Baseline(Context& ctx, const Flags& f, const migrate::Options& o) {
  auto v = ParseVersionFlag(f.version, "baseline");
  if (!v.ok()) return ctx.out.Fail(v.status());
  return Report(ctx, migrate::Baseline(o, **v), "baselined", Ran::kNothing);
}

int Repair(Context& ctx, const Flags&, const migrate::Options& o) {
  return Report(ctx, migrate::Repair(o), "repaired", Ran::kNothing);
}

int Adopt(Context& ctx, const Flags& f, const migrate::Options& o) {
  std::optional<migrate::Format> from;
  if (!f.from.empty()) from = migrate::ParseFormat(f.from);  // checked by CheckFlags
  auto res = migrate::Adopt(o, from);
  if (!res.ok()) return ctx.out.Fail(res.status());
  std::string tool(migrate::FormatName(res->from.tool));
  ctx.out.Line(fmt::format("adopting {}'s history in {}", tool, res->from.table));
  ctx.out.Json({{"from", {{"tool", tool}, {"table", res->from.table}}}});
  return Report(ctx, res->recorded, "adopted", Ran::kNothing);
}

void ToFlag(CLI::App& action, Flags& f) { action.add_option("--to", f.to, "stop at version"); }

// The actions of `pgstack migrate`. Adding one is a function like those above (or in a file of
// its own: cmd_migrate_lint.cpp, cmd_migrate_schema.cpp) and a row here; its help and dispatch
// both come from the row.
constexpr MigrateAction kActions[] = {
    {"new",
     "write a new empty migration in the directory's format (pgstack's in an empty one, or "
     "--format)",
     Needs::kDirectory,
     [](CLI::App& a, Flags& f) {
       a.add_option("name", f.name, "name, e.g. add_results")->required();
     },
     New},
    {"up", "apply pending migrations in order", Needs::kDatabase, ToFlag, Up},
    {"down", "revert applied migrations, newest first (default: 1)", Needs::kDatabase,
     [](CLI::App& a, Flags& f) {
       a.add_option("count", f.count, "how many");
       a.add_option("--to", f.to, "revert down to this version (0: all)");
     },
     Down},
    {"status", "applied, pending and any problem", Needs::kDatabase, NoFlags, ShowStatus},
    {"validate", "check files (syntax included) against the history; exit 3 on problems",
     Needs::kDatabase, NoFlags, Validate},
    {"plan", "what up would run, in order, and how, without running it", Needs::kDatabase, ToFlag,
     ShowPlan},
    {"baseline", "mark migrations up to VERSION applied without running them", Needs::kDatabase,
     [](CLI::App& a, Flags& f) { a.add_option("version", f.version, "version")->required(); },
     Baseline},
    {"repair", "accept the checksums of edited applied migrations, recording who did it",
     Needs::kDatabase, NoFlags, Repair},
    {"adopt", "record what another tool's history table says it applied (moving to pgstack)",
     Needs::kDatabase,
     [](CLI::App& a, Flags& f) {
       WithChoices(a.add_option("--from", f.from,
                                "the tool: " + core::JoinNames(migrate::AdoptableFormatNames()) +
                                    " (default: the table found)"),
                   migrate::AdoptableFormatNames());
     },
     Adopt},
    {"lint",
     "hazards in migrations before they run (locks, rewrites, broken code); exit 3 at "
     "--fail-on",
     Needs::kDirectory, AddLintFlags, RunLint},
    {"drift",
     "compare the live schema with the one its applied migrations build; exit 3 on "
     "differences",
     Needs::kDirectory, NoFlags, RunDrift},
    {"dump", "write a schema as plain DDL (dependency order, no data, the same bytes each time)",
     Needs::kDirectory, AddDumpFlags, RunDump},
    {"diff", "the online-safe plan from one schema to another, proven; exit 3 on a refused hazard",
     Needs::kDirectory, AddDiffFlags, RunDiff},
};

}  // namespace

RunFn RegisterMigrate(CLI::App& sub, Context& ctx) {
  auto f = std::make_shared<Flags>();
  sub.footer("formats (detected from the files; --format forces one):\n" +
             migrate::FormatLayouts());
  CLI::Option* dir =
      sub.add_option("--dir", f->dir, "migrations directory (the default is the project root's)")
          ->capture_default_str();
  WithChoices(sub.add_option("--format", f->format,
                             "force a format: " + core::JoinNames(migrate::FormatNames())),
              migrate::FormatNames());
  sub.add_option("--history", f->history,
                 fmt::format("the history table in schema pgstack (default: the config's "
                             "migrate.history for --dir, else {})",
                             migrate::kDefaultHistory));
  sub.add_flag("--pooled", f->pooled, "connect through PgBouncer");
  sub.add_flag("--direct", f->direct, "connect to PostgreSQL itself (the default)");
  sub.add_option("--lock-timeout", f->lock_timeout,
                 "how long to wait for other runners (exit 4 after)")
      ->capture_default_str();
  sub.add_option("--lease", f->lease, "how long a silent runner's lock lasts (SIGKILL)")
      ->capture_default_str();
  sub.add_option("--pg-lock-timeout", f->pg_lock_timeout,
                 "PostgreSQL lock_timeout for each migration transaction")
      ->capture_default_str();
  sub.add_option("--statement-timeout", f->statement_timeout, "PostgreSQL statement_timeout");
  sub.add_option("--retries", f->retries, "retries after a lock timeout or deadlock")
      ->capture_default_str();
  sub.add_flag("--allow-out-of-order", f->allow_out_of_order,
               "apply migrations older than the newest applied one");
  auto chosen = AddActions(sub, kActions, *f);

  return [&ctx, f, chosen, dir] {
    if (dir->count() == 0) f->dir = ctx.InProject(f->dir);
    const MigrateAction& action = **chosen;
    if (Status s = CheckFlags(*f); !s.ok()) return ctx.out.Fail(s);
    if (action.needs == Needs::kDirectory) {
      migrate::Options o;
      o.dir = f->dir;
      return action.run(ctx, *f, o);
    }
    auto o = MakeOptions(*f, ctx);
    if (!o.ok()) return ctx.out.Fail(o.status());
    return action.run(ctx, *f, *o);
  };
}

}  // namespace pgstack::cli
