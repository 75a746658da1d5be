// pgstack down, status and destroy: the local stack's life after up.
#include <fmt/format.h>

#include "commands.h"
#include "pgstack/location/endpoints.h"
#include "pgstack/stack/stack.h"
#include "pgstack/testdb/purge.h"

namespace pgstack::cli {

namespace {

// testdb's templates and test databases do not outlive the stack (docs/testdb.md): they are
// dropped while its server still runs. The number dropped; 0 when the server is not running,
// or when the last `up` never finished (its server never served testdb, and may not listen
// where the provisional state says).
Result<int> DropTestdbDatabases(const std::string& state_dir) {
  PGSTACK_ASSIGN_OR_RETURN(stack::StackStatus st, stack::GetStatus(state_dir));
  if (!st.postgres_running || !st.complete) return 0;
  PGSTACK_ASSIGN_OR_RETURN(pg::ConnParams su, location::LocalSuperuser(state_dir));
  return testdb::Purge(su);
}

nlohmann::json ReplicasJson(const std::vector<stack::ReplicaStatus>& replicas) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : replicas) {
    out.push_back({{"node", r.node},
                   {"port", r.port},
                   {"running", r.running},
                   {"state", r.state},
                   {"lag_bytes", r.lag_bytes ? nlohmann::json(*r.lag_bytes) : nullptr},
                   {"lag_seconds", r.lag_seconds ? nlohmann::json(*r.lag_seconds) : nullptr}});
  }
  return out;
}

std::string ReplicaLine(const stack::ReplicaStatus& r) {
  std::string lag = r.lag_bytes ? fmt::format("  replay lag {} bytes, {:.3f} s", *r.lag_bytes,
                                              r.lag_seconds.value_or(0))
                                : "";
  return fmt::format("Replica {:<3} {:<8} {:<7} port {}{}", r.node,
                     r.state.empty() ? (r.running ? "(not streaming)" : "") : r.state,
                     r.running ? "running" : "stopped", r.port, lag);
}

}  // namespace

RunFn RegisterDown(CLI::App& sub, Context& ctx) {
  return [&ctx] {
    auto dropped = DropTestdbDatabases(ctx.global.state_dir);
    // The stack stops even when that failed; the failure is the answer then.
    Status s = stack::Down(ctx.global.state_dir);
    if (!s.ok()) return ctx.out.Fail(s);
    if (!dropped.ok()) {
      return ctx.out.Fail(dropped.status().WithContext(
          "stopped the stack, but could not drop testdb's databases first"));
    }
    if (*dropped > 0) ctx.out.Line(fmt::format("dropped {} testdb databases", *dropped));
    ctx.out.Line("stopped PgBouncer and PostgreSQL; data kept in " + ctx.global.state_dir);
    ctx.out.Json({{"stopped", true}, {"testdb_databases_dropped", *dropped}});
    return 0;
  };
}

RunFn RegisterStatus(CLI::App& sub, Context& ctx) {
  return [&ctx] {
    auto s = stack::GetStatus(ctx.global.state_dir);
    if (!s.ok()) return ctx.out.Fail(s.status());
    const auto& st = s->state;
    nlohmann::json j = {{"state_dir", ctx.global.state_dir},
                        {"exists", s->exists},
                        {"complete", s->complete},
                        {"postgres",
                         {{"running", s->postgres_running},
                          {"port", st.pg_port},
                          {"version", s->postgres_version},
                          {"bin", st.pg_bin},
                          {"durability", !s->postgres_durable   ? ""
                                         : *s->postgres_durable ? "on"
                                                                : "off"}}},
                        {"pgbouncer", {{"running", s->pgbouncer_running}, {"port", st.pool_port}}},
                        {"replicas", ReplicasJson(s->replicas)}};
    if (!s->exists) {
      ctx.out.Line(fmt::format("no stack in {} (run pgstack up)", ctx.global.state_dir));
    } else {
      auto run = [](bool r) { return r ? "running" : "stopped"; };
      ctx.out.Line(fmt::format("PostgreSQL {:<8} {:<7} port {}{}", s->postgres_version,
                               run(s->postgres_running), st.pg_port,
                               s->postgres_durable == false
                                   ? "  test mode: durability off (fsync, synchronous_commit, "
                                     "full_page_writes)"
                                   : ""));
      ctx.out.Line(fmt::format("PgBouncer  {:<8} {:<7} port {}", "", run(s->pgbouncer_running),
                               st.pool_port));
      for (const auto& r : s->replicas) ctx.out.Line(ReplicaLine(r));
    }
    ctx.out.Json(j);
    if (s->exists && !s->complete) {
      // Not a healthy stack: a script that asks status must not read success.
      return ctx.out.Fail(Status::Failure(fmt::format(
          "{}: the last `pgstack up` there did not finish: run it again, or `pgstack destroy "
          "--yes`",
          ctx.global.state_dir)));
    }
    return 0;
  };
}

RunFn RegisterDestroy(CLI::App& sub, Context& ctx) {
  auto yes = std::make_shared<bool>(false);
  sub.add_flag("--yes", *yes, "really delete the state directory and all its data");
  return [&ctx, yes] {
    if (!*yes) {
      return ctx.out.Fail(Status::InvalidInput("destroy deletes " + ctx.global.state_dir +
                                               " and all its data: add --yes"));
    }
    Status s = stack::Destroy(ctx.global.state_dir);
    if (!s.ok()) return ctx.out.Fail(s);
    ctx.out.Line("destroyed " + ctx.global.state_dir);
    ctx.out.Json({{"destroyed", true}});
    return 0;
  };
}

}  // namespace pgstack::cli
