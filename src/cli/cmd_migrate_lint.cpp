// pgstack migrate lint [FILE...] [--all] [--trace] [--fail-on SEVERITY] [--sarif FILE] [--rules]
// and pgstack migrate drift: flags in, the library (src/migrate/lint_*.cpp, trace.cpp,
// drift.cpp) does the work, the reporter prints.
#include "cmd_migrate_lint.h"

#include <fmt/format.h>

#include <deque>
#include <memory>

#include "flag_choices.h"
#include "pgstack/core/files.h"
#include "pgstack/core/nearest.h"
#include "pgstack/location/endpoints.h"
#include "pgstack/migrate/drift.h"
#include "pgstack/migrate/lint.h"
#include "pgstack/migrate/runner.h"
#include "pgstack/migrate/source.h"
#include "pgstack/migrate/trace.h"

namespace pgstack::cli {
Result<migrate::Options> InspectOptions(Context& ctx, const std::string& dir,
                                        const std::string& format, const std::string& history,
                                        location::Endpoints* where) {
  migrate::Options o;
  o.dir = dir;
  PGSTACK_ASSIGN_OR_RETURN(o.format, migrate::ParseFormatFlag("--format", format));
  PGSTACK_ASSIGN_OR_RETURN(core::Environment env, ctx.LoadEnv());
  PGSTACK_ASSIGN_OR_RETURN(location::Endpoints ep,
                           location::ResolveEndpoints(env, ctx.global.state_dir));
  PGSTACK_ASSIGN_OR_RETURN(o.history, HistoryNameOf(env, dir, history));
  o.conn = ep.direct;
  o.conn.application_name = "pgstack migrate";
  o.flyway = FlywayPlaceholdersOf(env, o.conn);
  if (where) *where = ep;
  return o;
}

migrate::ScratchOptions ScratchOf(Context& ctx, const location::Endpoints& where,
                                  const core::Environment& env) {
  return {.superuser = where.superuser,
          .target_db = where.direct.dbname,
          .extensions = env.postgres.extensions,
          .on_event = [&ctx](const std::string& w) {
            ctx.out.Progress(w);
            ctx.out.Detail(w);
          }};
}

namespace {

using nlohmann::json;

const std::vector<std::string> kSeverities = {"error", "warning", "info"};

// What lint and drift read from the directory and the database.
struct Loaded {
  std::unique_ptr<migrate::Report> report;  // owns the migrations the vectors point into
  std::deque<migrate::Migration> files;     // migrations read from files given by name
  std::vector<const migrate::Migration*> lint;
  std::vector<const migrate::Migration*> applied;
  std::string dir_note;  // why every migration is linted, when it is
};

// Applied migrations (the history's, in version order) and pending ones, from Inspect.
Status FromHistory(Loaded& l, const migrate::Options& o) {
  PGSTACK_ASSIGN_OR_RETURN(l.report, migrate::Inspect(o));
  for (const auto& a : l.report->plan.applied) {
    if (!a.migration) {
      return Status::CheckFailed(
          fmt::format("applied migration {} {} has no file in {}: its schema cannot be rebuilt",
                      a.row->version, a.row->name, o.dir));
    }
    l.applied.push_back(a.migration);
  }
  for (const auto& p : l.report->plan.pending) l.lint.push_back(p.migration);
  return Status::Ok();
}

// The rules each directory switches off: its .pgstack-lint file and the config's
// migrate.lint_disable (when a config is read: lint needs none).
Result<migrate::LintOptions> Disabled(Context& ctx, const std::vector<std::string>& dirs) {
  auto env = ctx.LoadEnv();
  if (!env.ok()) ctx.out.Detail("lint: no config read (" + env.status().message() + ")");
  migrate::LintOptions out;
  for (const std::string& d : dirs) {
    PGSTACK_ASSIGN_OR_RETURN(out.disabled_in_dir[d], migrate::DisabledRulesOf(d));
    if (!env.ok()) continue;
    PGSTACK_ASSIGN_OR_RETURN(auto more, migrate::ConfigDisabledRules(env->migrate, env->file, d));
    out.disabled_in_dir[d].insert(more.begin(), more.end());
  }
  return out;
}

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

int ListRules(Context& ctx) {
  json rules = json::array();
  for (const migrate::LintRule& r : migrate::LintRules()) {
    rules.push_back({{"id", r.id},
                     {"severity", migrate::SeverityName(r.severity)},
                     {"summary", r.summary},
                     {"postgres", r.postgres},
                     {"fix", r.fix},
                     {"bad", r.bad},
                     {"good", r.good},
                     {"trace_only", r.trace_only}});
    ctx.out.Line(
        fmt::format("{:<38} {:<8} {}", r.id, migrate::SeverityName(r.severity), r.summary));
  }
  ctx.out.Json({{"rules", rules}});
  return 0;
}

}  // namespace

int RunLint(Context& ctx, const MigrateFlags& flags, const migrate::Options&) {
  const LintFlags& f = flags.lint;
  const std::string& dir = flags.dir;
  const std::string& format = flags.format;
  if (f.rules) return ListRules(ctx);
  auto fail_on = migrate::ParseSeverity(f.fail_on);
  if (!fail_on) {
    return ctx.out.Fail(
        Status::InvalidInput(core::UnknownChoice("--fail-on", f.fail_on, kSeverities)));
  }
  if (f.trace && !f.files.empty()) {
    return ctx.out.Fail(Status::InvalidInput(
        "--trace runs the pending migrations of --dir: give no files with it"));
  }
  if (f.all && !f.files.empty()) {
    return ctx.out.Fail(Status::InvalidInput(
        "give files or --all, not both (--all lints every migration of --dir)"));
  }
  Loaded l;
  std::vector<std::string> dirs;
  location::Endpoints where;
  if (!f.files.empty()) {
    for (const std::string& path : f.files) {
      auto m = migrate::ReadLintFile(path);
      if (!m.ok()) return ctx.out.Fail(m.status());
      l.files.push_back(std::move(*m));
      l.lint.push_back(&l.files.back());
      dirs.push_back(DirOf(path));
    }
  } else {
    dirs.push_back(dir);
    std::optional<migrate::Format> forced;
    if (!format.empty()) forced = migrate::ParseFormat(format);  // checked by InspectOptions
    // The files first: their problems are the user's, whatever the database says. (The options
    // only name the server and what Flyway's placeholders stand for: nothing connects yet.)
    auto o = InspectOptions(ctx, dir, format, flags.history, &where);
    auto set = migrate::ReadMigrations(dir, forced, o.ok() && o->flyway ? &*o->flyway : nullptr);
    if (!set.ok()) return ctx.out.Fail(set.status());
    Status s = o.ok() ? FromHistory(l, *o) : o.status();
    if (!s.ok() && (f.trace || (o.ok() && s.code() == Code::kInvalidInput))) return ctx.out.Fail(s);
    if (!s.ok() || f.all) {
      // No database to tell what is pending (static lint needs none): every migration.
      if (!s.ok()) ctx.out.Detail("lint: " + s.message() + "; linting every migration");
      l = Loaded();
      l.report = std::make_unique<migrate::Report>();
      l.report->set = std::move(*set);
      for (const auto& m : l.report->set.migrations) l.lint.push_back(&m);
    }
  }
  auto options = Disabled(ctx, dirs);
  if (!options.ok()) return ctx.out.Fail(options.status());
  migrate::LintReport report = migrate::Lint(l.lint, *options, l.applied);

  json doc;
  if (f.trace) {
    auto env = ctx.LoadEnv();
    if (!env.ok()) return ctx.out.Fail(env.status());
    auto trace = migrate::Trace(ScratchOf(ctx, where, *env), l.applied, l.lint);
    ctx.out.Progress("");
    if (!trace.ok()) return ctx.out.Fail(trace.status());
    migrate::AddTraceFindings(*trace, report);
    doc["trace"] = migrate::TraceJson(*trace);
    doc["clone"] = trace->clone;
    for (const migrate::TraceStep& s : trace->steps) {
      std::string locks;
      for (const auto& lk : s.locks) {
        locks += fmt::format("{}{} {}", locks.empty() ? "" : ", ", lk.relation, lk.mode);
      }
      std::string rewritten;
      for (const auto& r : s.rewritten) rewritten += (rewritten.empty() ? "" : ", ") + r;
      ctx.out.Line(fmt::format("trace {}:{} ({:.1f} ms){}{}", s.file, s.line, s.ms,
                               locks.empty() ? "" : "  locks: " + locks,
                               rewritten.empty() ? "" : "  rewrote: " + rewritten));
    }
  }
  json base = migrate::LintJson(report);
  doc["findings"] = std::move(base["findings"]);
  doc["files"] = base["files"];
  if (!f.sarif.empty()) {
    Status s = core::WriteFileAtomic(f.sarif, migrate::LintSarif(report).dump(2) + "\n", 0644);
    if (!s.ok()) return ctx.out.Fail(s.WithContext("--sarif " + f.sarif));
  }
  ctx.out.Json(std::move(doc));
  int counts[3] = {0, 0, 0};
  for (const migrate::Finding& x : report.findings) {
    ++counts[static_cast<int>(x.severity)];
    ctx.out.Line(fmt::format("{}:{}:{}: {} [{}] {}\n    fix: {}", x.file, x.line, x.column,
                             migrate::SeverityName(x.severity), x.rule, x.message, x.fix));
  }
  ctx.out.Line(fmt::format("{} file(s): {} error(s), {} warning(s), {} info", report.files,
                           counts[2], counts[1], counts[0]));
  auto worst = report.Worst();
  return worst && *worst >= *fail_on ? static_cast<int>(Code::kCheckFailed) : 0;
}

int RunDrift(Context& ctx, const MigrateFlags& f, const migrate::Options&) {
  const std::string& dir = f.dir;
  location::Endpoints where;
  auto o = InspectOptions(ctx, dir, f.format, f.history, &where);
  if (!o.ok()) return ctx.out.Fail(o.status());
  auto env = ctx.LoadEnv();
  if (!env.ok()) return ctx.out.Fail(env.status());
  auto drift = migrate::DriftOfDir(*o, ScratchOf(ctx, where, *env));
  ctx.out.Progress("");
  if (!drift.ok()) return ctx.out.Fail(drift.status());
  const auto& diffs = drift->differences;
  ctx.out.Json({{"differences", migrate::DriftJson(diffs)}, {"applied", drift->applied}});
  for (const migrate::Difference& d : diffs) {
    std::string detail = d.change == "changed"
                             ? fmt::format(": expected {}, actual {}", d.expected, d.actual)
                         : d.change == "missing" ? ": " + d.expected
                                                 : ": " + d.actual;
    ctx.out.Line(fmt::format("{:<8} {:<10} {}{}", d.change, d.kind, d.object, detail));
  }
  if (diffs.empty()) {
    ctx.out.Line(
        fmt::format("no drift: the live schema is what the {} applied migration(s) of {} build",
                    drift->applied, dir));
    return 0;
  }
  ctx.out.Line(
      fmt::format("{} difference(s) between the live schema and its migrations", diffs.size()));
  return static_cast<int>(Code::kCheckFailed);
}

void AddLintFlags(CLI::App& lint, MigrateFlags& flags) {
  LintFlags& f = flags.lint;
  std::string rules_help = "rules:";
  for (const migrate::LintRule& r : migrate::LintRules()) rules_help += " " + std::string(r.id);
  lint.footer(rules_help + "\n(--rules explains each; docs/migrations.md has examples)");
  lint.add_option("files", f.files, "SQL files to lint (default: the pending migrations of --dir)");
  lint.add_flag("--all", f.all, "lint every migration of --dir, applied ones too");
  lint.add_flag("--trace", f.trace,
                "also run the pending migrations in a scratch clone of the database and report "
                "the locks, rewrites and time of each statement");
  WithChoices(
      lint.add_option("--fail-on", f.fail_on, "exit 3 when a finding is at least this severe")
          ->capture_default_str(),
      kSeverities);
  lint.add_option("--sarif", f.sarif, "also write the findings as SARIF 2.1.0 to this file");
  lint.add_flag("--rules", f.rules, "list the rules: id, severity, what each catches");
}

}  // namespace pgstack::cli
