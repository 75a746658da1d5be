// pgstack up: provision and start the local stack (idempotent).
#include <fmt/format.h>

#include "commands.h"
#include "pgstack/stack.h"

namespace pgstack::cli {

RunFn RegisterUp(CLI::App& sub, Context& ctx) {
  auto opts = std::make_shared<stack::UpOptions>();
  auto pg_port = std::make_shared<int>(-1);
  auto pool_port = std::make_shared<int>(-1);
  sub.add_option("--pg-port", *pg_port, "PostgreSQL port (0: a free one)")->check(CLI::Range(0, 65535));
  sub.add_option("--pool-port", *pool_port, "PgBouncer port (0: a free one)")->check(CLI::Range(0, 65535));
  sub.add_option("--pg-bin", opts->pg_bin, "folder with PostgreSQL 17's initdb, pg_ctl, postgres");
  return [&ctx, opts, pg_port, pool_port] {
    auto env = ctx.LoadEnv();
    if (!env.ok()) return ctx.out.Fail(env.status());
    opts->state_dir = ctx.global.state_dir;
    if (*pg_port >= 0) opts->pg_port = *pg_port;
    if (*pool_port >= 0) opts->pool_port = *pool_port;
    ctx.out.Progress("bringing up the stack...");
    auto report = stack::Up(*env, *opts);
    ctx.out.Progress("");
    if (!report.ok()) return ctx.out.Fail(report.status());
    const auto& st = report->state;
    const auto& pg = env->postgres;
    for (const auto& a : report->actions) ctx.out.Line("  " + a);
    if (report->actions.empty()) ctx.out.Line("  nothing to change: the stack is up and as configured");
    ctx.out.Line(fmt::format("PostgreSQL {}  {}:{}  database {}  role {}", report->pg_version,
                             pg.host, st.pg_port, pg.database, pg.user));
    ctx.out.Line(fmt::format("PgBouncer         {}:{}  ({} pooling)", env->pgbouncer.listen_addr,
                             st.pool_port, env->setting("pool_mode").value_or("session")));
    ctx.out.Line(fmt::format("state             {}   connect: eval \"$(pgstack env)\"",
                             ctx.global.state_dir));
    ctx.out.Json({{"changed", !report->actions.empty()},
                  {"actions", report->actions},
                  {"postgres", {{"port", st.pg_port}, {"version", report->pg_version}}},
                  {"pgbouncer", {{"port", st.pool_port}}},
                  {"state_dir", ctx.global.state_dir}});
    return 0;
  };
}

}  // namespace pgstack::cli
