// `pgstack migrate dump`: the declarative side of migrate (docs/migrations.md, "Declarative
// schema"), kept apart from cmd_migrate.cpp.
#include "cmd_migrate_schema.h"

#include <fmt/format.h>

#include <chrono>

#include "cmd_migrate_lint.h"
#include "pgstack/core/duration.h"
#include "pgstack/migrate/diff.h"
#include "pgstack/migrate/diff_write.h"
#include "pgstack/migrate/dump.h"
#include "pgstack/migrate/schema_source.h"

namespace pgstack::cli {
namespace {

// Where sources are read: the stack's server for scratch databases, and the directory.
Result<migrate::SourceOptions> SourceOptionsOf(Context& ctx, const migrate::CatalogFilter& filter,
                                               const std::string& dir, const std::string& format) {
  location::Endpoints where;
  PGSTACK_ASSIGN_OR_RETURN(migrate::Options o, InspectOptions(ctx, dir, format, "", &where));
  PGSTACK_ASSIGN_OR_RETURN(core::Environment env, ctx.LoadEnv());
  return migrate::SourceOptions{.scratch = ScratchOf(ctx, where, env),
                                .dir = dir,
                                .format = o.format,
                                .flyway = o.flyway,
                                .filter = filter};
}

// What --schema, --exclude-schema and --owners ask of a catalog (dump's flags or diff's).
template <typename Flags>
migrate::CatalogFilter FilterOf(const Flags& f) {
  return {.schemas = f.schemas, .exclude_schemas = f.exclude_schemas, .owners = f.owners};
}

Result<migrate::DiffRequest> DiffRequestOf(Context& ctx, const MigrateFlags& flags) {
  const DiffFlags& f = flags.diff;
  migrate::DiffRequest r;
  PGSTACK_ASSIGN_OR_RETURN(r.from, migrate::ParseSchemaSource("--from", f.from));
  PGSTACK_ASSIGN_OR_RETURN(r.to, migrate::ParseSchemaSource("--to", f.to));
  PGSTACK_ASSIGN_OR_RETURN(r.source, SourceOptionsOf(ctx, FilterOf(f), flags.dir, flags.format));
  r.renames = f.renames;
  for (const std::string& u : f.usings) {
    size_t eq = u.find('=');
    if (eq == std::string::npos) {
      return Status::InvalidInput("--using " + u + ": want TABLE.COLUMN=EXPR");
    }
    r.using_exprs[u.substr(0, eq)] = u.substr(eq + 1);
  }
  return r;
}

Result<migrate::PlanTimeouts> TimeoutsOf(const MigrateFlags& flags) {
  auto ms = [](const std::string& text, std::string_view flag) -> Result<int> {
    PGSTACK_ASSIGN_OR_RETURN(std::chrono::milliseconds d, core::ParseDuration(text, flag));
    return static_cast<int>(d.count());
  };
  migrate::PlanTimeouts t;
  PGSTACK_ASSIGN_OR_RETURN(t.lock_ms, ms(flags.pg_lock_timeout, "--pg-lock-timeout"));
  PGSTACK_ASSIGN_OR_RETURN(t.ddl_ms, ms(flags.diff.ddl_timeout, "--ddl-timeout"));
  PGSTACK_ASSIGN_OR_RETURN(t.build_ms, ms(flags.diff.build_timeout, "--build-timeout"));
  return t;
}

nlohmann::json PlanJson(const migrate::SchemaPlan& plan, bool refused, long long ms) {
  nlohmann::json statements = nlohmann::json::array();
  nlohmann::json hazards = nlohmann::json::array();
  for (const migrate::PlanStatement& st : plan.statements) {
    nlohmann::json own = nlohmann::json::array();
    for (const migrate::Hazard& h : st.hazards) {
      own.push_back({{"kind", migrate::HazardName(h.kind)}, {"message", h.message}});
      hazards.push_back(
          {{"kind", migrate::HazardName(h.kind)}, {"object", h.object}, {"message", h.message}});
    }
    statements.push_back({{"sql", st.sql}, {"transaction", st.transaction}, {"hazards", own}});
  }
  return {{"statements", statements}, {"hazards", hazards}, {"refused", refused}, {"ms", ms}};
}

// The plan written or applied, once it is shown and allowed.
int CarryOut(Context& ctx, const MigrateFlags& flags, const migrate::DiffRequest& r,
             const migrate::DiffResult& d, const migrate::PlanTimeouts& t) {
  const DiffFlags& f = flags.diff;
  if (!f.write.empty()) {
    auto written = migrate::WriteDiffMigrations(r, d, f.write);
    if (!written.ok()) return ctx.out.Fail(written.status());
    ctx.out.Json({{"written", *written}});
    for (const std::string& path : *written) ctx.out.Line("wrote " + path);
    return 0;
  }
  if (f.apply) {
    if (Status s = migrate::ApplyDiff(r, d, t); !s.ok()) return ctx.out.Fail(s);
    ctx.out.Json({{"applied", d.plan.statements.size()}});
    ctx.out.Notice(fmt::format("applied {} statement(s) to {}", d.plan.statements.size(),
                               migrate::Describe(r.from, flags.dir)));
  }
  return 0;
}

}  // namespace

int RunDiff(Context& ctx, const MigrateFlags& flags, const migrate::Options&) {
  const DiffFlags& f = flags.diff;
  auto started = std::chrono::steady_clock::now();
  auto r = DiffRequestOf(ctx, flags);
  if (!r.ok()) return ctx.out.Fail(r.status());
  auto allowed = migrate::ParseAllowedHazards(f.allow_hazards);
  if (!allowed.ok()) return ctx.out.Fail(allowed.status());
  auto t = TimeoutsOf(flags);
  if (!t.ok()) return ctx.out.Fail(t.status());
  if (f.apply && (!f.write.empty() || r->from.kind != migrate::SchemaSource::Kind::kUrl)) {
    return ctx.out.Fail(Status::InvalidInput(
        "--apply runs the plan on the --from database: it needs --from URL, and no --write"));
  }
  auto d = migrate::PlanDiff(*r);
  ctx.out.Progress("");
  if (!d.ok()) return ctx.out.Fail(d.status());
  std::vector<migrate::Hazard> refused = migrate::RefusedHazards(d->plan, *allowed);
  long long ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - started)
                     .count();
  ctx.out.Json(PlanJson(d->plan, !refused.empty(), ms));
  if (d->plan.empty()) {
    ctx.out.Notice(fmt::format("no differences: {} is {}", migrate::Describe(r->from, flags.dir),
                               migrate::Describe(r->to, flags.dir)));
    return 0;
  }
  if (f.write.empty() || !refused.empty()) ctx.out.Text(migrate::PlanScript(d->plan, *t));
  if (!refused.empty()) {
    for (const migrate::Hazard& h : refused) {
      ctx.out.Warn(
          fmt::format("refused: {} on {}: {}", migrate::HazardName(h.kind), h.object, h.message));
    }
    ctx.out.Warn(
        fmt::format("the plan holds {} refused hazard(s); nothing was written or run "
                    "(--allow-hazards KIND,... allows them)",
                    refused.size()));
    return static_cast<int>(Code::kCheckFailed);
  }
  return CarryOut(ctx, flags, *r, *d, *t);
}

void AddDiffFlags(CLI::App& diff, MigrateFlags& flags) {
  DiffFlags& f = flags.diff;
  std::string hazards = "hazards:";
  for (const migrate::HazardSpec& h : migrate::HazardTable()) {
    hazards += fmt::format("\n  {:<20} {}{}", h.name, h.refused ? "(refused) " : "", h.means);
  }
  diff.footer(hazards);
  diff.add_option("--to", f.to,
                  "the schema wanted: a .sql file or folder, a postgres:// URL, or "
                  "`migrations`")
      ->required();
  diff.add_option("--from", f.from,
                  "the schema now: a postgres:// URL (only read), a .sql file or folder, or "
                  "`migrations` (every migration of --dir, replayed in a scratch database)")
      ->capture_default_str();
  diff.add_option("--schema", f.schemas, "only this schema (repeatable)");
  diff.add_option("--exclude-schema", f.exclude_schemas, "not this schema (repeatable)");
  diff.add_flag("--owners", f.owners,
                "compare owners too (ALTER ... OWNER TO; a change is authz_update)");
  diff.add_option("--allow-hazards", f.allow_hazards,
                  "KIND,... (or all): refused hazards the plan may hold (exit 3 otherwise)");
  diff.add_option("--rename", f.renames,
                  "KIND:OLD=NEW (table, column, index, constraint, view; column:TABLE.OLD=NEW): "
                  "rename instead of drop and create (repeatable)");
  diff.add_option("--using", f.usings,
                  "TABLE.COLUMN=EXPR: the USING expression of a column's type change "
                  "(repeatable)");
  diff.add_option("--write", f.write,
                  "NAME: write the plan as new migrations of --dir, in its format, with a down");
  diff.add_flag("--apply", f.apply, "run the proven plan on the --from database (a URL)");
  diff.add_option("--ddl-timeout", f.ddl_timeout, "statement_timeout of catalog-only DDL")
      ->capture_default_str();
  diff.add_option("--build-timeout", f.build_timeout,
                  "statement_timeout of builds, validations and rewrites (0: none)")
      ->capture_default_str();
}

int RunDump(Context& ctx, const MigrateFlags& flags, const migrate::Options&) {
  const DumpFlags& f = flags.dump;
  const std::string& dir = flags.dir;
  const std::string& format = flags.format;
  auto source = migrate::ParseSchemaSource("--from", f.from);
  if (!source.ok()) return ctx.out.Fail(source.status());
  auto o = SourceOptionsOf(ctx, FilterOf(f), dir, format);
  if (!o.ok()) return ctx.out.Fail(o.status());
  auto catalog = migrate::ReadSource(*source, *o);
  ctx.out.Progress("");
  if (!catalog.ok()) return ctx.out.Fail(catalog.status());
  if (f.out.empty()) {
    std::string sql = migrate::DumpSql(*catalog);
    ctx.out.Json({{"sql", sql}, {"objects", catalog->objects.size()}});
    if (!sql.empty() && sql.back() == '\n') sql.pop_back();
    ctx.out.Line(sql);
    return 0;
  }
  if (Status s = migrate::WriteDump(*catalog, f.out); !s.ok()) return ctx.out.Fail(s);
  ctx.out.Json({{"out", f.out}, {"objects", catalog->objects.size()}});
  ctx.out.Line(fmt::format("wrote {} object(s) of {} to {}", catalog->objects.size(),
                           migrate::Describe(*source, dir), f.out));
  return 0;
}

void AddDumpFlags(CLI::App& dump, MigrateFlags& flags) {
  DumpFlags& f = flags.dump;
  dump.add_option("--from", f.from,
                  "the schema: a postgres:// URL (only read), a .sql file or folder, or "
                  "`migrations` (every migration of --dir, replayed in a scratch database)")
      ->capture_default_str();
  dump.add_option("--out", f.out,
                  "a .sql file, or a folder of one file per schema (default: stdout)");
  dump.add_option("--schema", f.schemas, "only this schema (repeatable)");
  dump.add_option("--exclude-schema", f.exclude_schemas, "not this schema (repeatable)");
  dump.add_flag("--owners", f.owners, "with each object's ALTER ... OWNER TO");
}

}  // namespace pgstack::cli
