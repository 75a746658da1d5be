// pgstack up: provision and start the local stack (idempotent); for an external environment,
// set up the existing server and its PgBouncer (stack::UpExternal).
#include <fmt/format.h>

#include "commands.h"
#include "pgstack/location/credentials.h"
#include "pgstack/location/endpoints.h"
#include "pgstack/location/state_paths.h"
#include "pgstack/stack/external.h"
#include "pgstack/stack/stack.h"

namespace pgstack::cli {
namespace {

// Flags only one of the two modes understands.
struct UpFlags {
  stack::UpOptions local;
  int pg_port = -1;
  int pool_port = -1;
  int replicas = -1;
  stack::ExternalOptions external;
  CLI::Option* pg_conf_dir = nullptr;
  CLI::Option* pgbouncer_dir = nullptr;
};

// Where to connect, directly and through PgBouncer; never the password (`pgstack env` prints
// it on request). Absent when the endpoints cannot be resolved (an external server whose
// password is not set, say): up's own work is still reported.
nlohmann::json EndpointsJson(const core::Environment& env, const std::string& state_dir) {
  auto ep = location::ResolveEndpoints(env, state_dir);
  if (!ep.ok()) return nullptr;
  auto one = [](const pg::ConnParams& p) {
    return nlohmann::json{
        {"host", p.host}, {"port", p.port}, {"database", p.dbname}, {"user", p.user}};
  };
  return {{"direct", one(ep->direct)}, {"pooled", one(ep->pooled)}};
}

nlohmann::json ReplicasJson(const location::StackState& st) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : st.replicas) out.push_back({{"node", r.node}, {"port", r.port}});
  return out;
}

int RunLocal(Context& ctx, const core::Environment& env, UpFlags& f) {
  if (f.external.dry_run || f.external.restart || f.pg_conf_dir->count() ||
      f.pgbouncer_dir->count()) {
    return ctx.out.Fail(Status::InvalidInput(
        fmt::format("--dry-run, --restart, --pg-conf-dir and --pgbouncer-dir are for an external "
                    "environment; {} is local",
                    env.name)));
  }
  auto& opts = f.local;
  opts.state_dir = ctx.global.state_dir;
  if (f.pg_port >= 0) opts.pg_port = f.pg_port;
  if (f.pool_port >= 0) opts.pool_port = f.pool_port;
  if (f.replicas >= 0) opts.replicas = f.replicas;
  opts.on_lock_wait = [&ctx](const std::string& line) { ctx.out.Notice(line); };
  ctx.out.Progress("bringing up the stack...");
  auto report = stack::Up(env, opts);
  ctx.out.Progress("");
  if (!report.ok()) return ctx.out.Fail(report.status());
  const auto& st = report->state;
  const auto& pg = env.postgres;
  for (const auto& a : report->actions) ctx.out.Line("  " + stack::ActionLine(a));
  if (report->actions.empty())
    ctx.out.Line("  nothing to change: the stack is up and as configured");
  ctx.out.Line(fmt::format("PostgreSQL {}  {}:{}  database {}  role {}", report->pg_version,
                           pg.host, st.pg_port, pg.database, pg.user));
  ctx.out.Line(fmt::format("PgBouncer         {}:{}  ({} pooling)", env.pgbouncer.listen_addr,
                           st.pool_port, env.setting("pool_mode").value_or("")));
  for (const auto& r : st.replicas) {
    ctx.out.Line(fmt::format("replica {}         {}:{}  read pool: database {}_ro  (env --replica)",
                             r.node, pg.host, r.port, pg.database));
  }
  std::string password = location::PasswordSource(env, location::StatePaths(ctx.global.state_dir));
  ctx.out.Line(fmt::format("password          {} (of role {})", password, pg.user));
  ctx.out.Line(fmt::format("state             {}   connect: eval \"$({})\"", ctx.global.state_dir,
                           ctx.CommandLine("env")));
  ctx.out.Json({{"changed", !report->actions.empty()},
                {"actions", stack::ActionsJson(report->actions)},
                {"endpoints", EndpointsJson(env, ctx.global.state_dir)},
                {"postgres", {{"port", st.pg_port}, {"version", report->pg_version}}},
                {"pgbouncer", {{"port", st.pool_port}}},
                {"replicas", ReplicasJson(st)},
                {"password_source", password},
                {"state_dir", ctx.global.state_dir}});
  return 0;
}

int RunExternal(Context& ctx, const core::Environment& env, UpFlags& f) {
  if (f.pg_port >= 0 || f.pool_port >= 0 || f.replicas >= 0 || !f.local.pg_bin.empty()) {
    return ctx.out.Fail(
        Status::InvalidInput(fmt::format("--pg-port, --pool-port, --replicas and --pg-bin are for "
                                         "a local stack; environment {} is external "
                                         "(its server is configured in {})",
                                         env.name, env.file)));
  }
  ctx.out.Progress("setting up the external server...");
  auto r = stack::UpExternal(env, f.external);
  ctx.out.Progress("");
  if (!r.ok()) return ctx.out.Fail(r.status());
  const auto& pg = env.postgres;
  ctx.out.Line(fmt::format("external server {} (PostgreSQL {}), database {}, role {}", r->server,
                           r->pg_version, pg.database, pg.user));
  ctx.out.Line("settings: " + r->settings_via);
  if (r->dry_run) {
    ctx.out.Line("dry run: nothing was changed. It would run (passwords redacted):");
    for (const auto& s : r->statements) ctx.out.Line("  " + s + ";");
    if (r->statements.empty()) ctx.out.Line("  (no SQL)");
    ctx.out.Line("and write:");
    for (const auto& d : r->diffs) ctx.out.Line(d);
    if (r->diffs.empty()) ctx.out.Line("  (no file changes)");
    ctx.out.Line("and its report would read:");
  } else {
    for (const auto& s : r->statements) ctx.out.Detail("sql: " + s);
  }
  for (const auto& a : r->actions) ctx.out.Line("  " + stack::ActionLine(a));
  if (r->actions.empty())
    ctx.out.Line("  nothing to change: the server and PgBouncer's files are as configured");
  if (!r->restart_pending.empty()) {
    ctx.out.Line(fmt::format("needs a restart of PostgreSQL to take effect: {}: {}",
                             fmt::join(r->restart_pending, ", "), r->restart_hint));
  }
  for (const auto& n : r->notes) ctx.out.Line("note: " + n);
  if (!r->dry_run) ctx.out.Line(fmt::format("check it: pgstack --env {} verify", env.name));
  ctx.out.Json({{"dry_run", r->dry_run},
                {"changed", !r->dry_run && !r->actions.empty()},
                {"server", r->server},
                {"postgres", {{"version", r->pg_version}, {"settings_via", r->settings_via}}},
                {"actions", stack::ActionsJson(r->actions)},
                {"endpoints", EndpointsJson(env, ctx.global.state_dir)},
                {"statements", r->statements},
                {"diffs", r->diffs},
                {"backups", r->backups},
                {"restart_pending", r->restart_pending},
                {"restart_hint", r->restart_hint},
                {"notes", r->notes}});
  return 0;
}

}  // namespace

RunFn RegisterUp(CLI::App& sub, Context& ctx) {
  auto f = std::make_shared<UpFlags>();
  sub.add_option("--pg-port", f->pg_port, "PostgreSQL port (0: a free one)")
      ->check(CLI::Range(0, 65535));
  sub.add_option("--pool-port", f->pool_port, "PgBouncer port (0: a free one)")
      ->check(CLI::Range(0, 65535));
  sub.add_option("--replicas", f->replicas,
                 "hot standbys of the primary, made without stopping it (0 removes them)")
      ->check(CLI::NonNegativeNumber);
  sub.add_option("--pg-bin", f->local.pg_bin,
                 "folder with PostgreSQL 17's initdb, pg_ctl, postgres");
  sub.add_flag("--dry-run", f->external.dry_run,
               "external: print the SQL and a diff of every file, change nothing");
  f->pg_conf_dir = sub.add_option("--pg-conf-dir", f->external.pg_conf_dir,
                                  "external: the server's conf.d (written when it reads it and "
                                  "pgstack may write there; else ALTER SYSTEM)")
                       ->capture_default_str();
  f->pgbouncer_dir = sub.add_option("--pgbouncer-dir", f->external.pgbouncer_dir,
                                    "external: where pgbouncer.ini and userlist.txt live")
                         ->capture_default_str();
  sub.add_flag("--restart", f->external.restart,
               "external: restart PostgreSQL when a restart-only setting changed "
               "(pg_ctlcluster or systemd)");
  return [&ctx, f] {
    auto env = ctx.LoadEnv();
    if (!env.ok()) return ctx.out.Fail(env.status());
    return env->mode == core::Mode::kExternal ? RunExternal(ctx, *env, *f)
                                              : RunLocal(ctx, *env, *f);
  };
}

}  // namespace pgstack::cli
