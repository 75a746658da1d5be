// pgstack down, status and destroy: the local stack's life after up.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "commands.h"
#include "pgstack/core/settings.h"
#include "pgstack/core/text_table.h"
#include "pgstack/location/endpoints.h"
#include "pgstack/location/stack_state.h"
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
    out.push_back(
        {{"node", r.node},
         {"port", r.port},
         {"running", r.running},
         {"fenced", r.fenced.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.fenced)},
         {"state", r.state},
         {"lag_bytes", r.lag_bytes ? nlohmann::json(*r.lag_bytes) : nullptr},
         {"lag_seconds", r.lag_seconds ? nlohmann::json(*r.lag_seconds) : nullptr}});
  }
  return out;
}

const char* RunningWord(bool running) { return running ? "running" : "stopped"; }

// "test mode: durability off (fsync, ...)", naming the settings table's rows it turns off.
std::string TestModeNote() {
  std::vector<std::string_view> names;
  for (const core::SettingSpec* s : core::SettingsOfKind(core::SettingDefault::Kind::kDurability))
    names.push_back(s->name);
  return fmt::format("test mode: durability off ({})", fmt::join(names, ", "));
}

// status's lines, one row per server: name, version or replication state, running, port, note;
// aligned as one table so that a replica's longer state does not shift its columns.
std::vector<std::string> StatusLines(const stack::StackStatus& s) {
  std::vector<std::vector<std::string>> rows = {
      {"PostgreSQL", s.postgres_version, RunningWord(s.postgres_running),
       fmt::format("port {}", s.state.pg_port), s.postgres_durable == false ? TestModeNote() : ""},
      {"PgBouncer", "", RunningWord(s.pgbouncer_running), fmt::format("port {}", s.state.pool_port),
       ""}};
  for (const auto& r : s.replicas) {
    if (!r.fenced.empty()) {
      rows.push_back({fmt::format("Replica {}", r.node), "fenced", RunningWord(r.running),
                      fmt::format("port {}", r.port),
                      fmt::format("needs a rebuild ({}): pgstack up", r.fenced)});
      continue;
    }
    rows.push_back({fmt::format("Replica {}", r.node),
                    r.state.empty() ? (r.running ? "(not streaming)" : "") : r.state,
                    RunningWord(r.running), fmt::format("port {}", r.port),
                    r.lag_bytes ? fmt::format("replay lag {} bytes, {:.3f} s", *r.lag_bytes,
                                              r.lag_seconds.value_or(0))
                                : ""});
  }
  return core::AlignedTable(rows, {0, 1, 2, 3, 4});
}

// The primary and PgBouncer run: 0 unless a replica is fenced (a promote left it to `up`), stopped,
// or not connected to the primary (it follows a node that is gone).
int ReplicasFail(Context& ctx, const stack::StackStatus& s) {
  std::vector<std::string> bad;
  for (const auto& r : s.replicas) {
    if (!r.fenced.empty())
      bad.push_back(fmt::format("replica {} needs a rebuild", r.node));
    else if (!r.running)
      bad.push_back(fmt::format("replica {} is stopped", r.node));
    else if (r.state.empty())
      bad.push_back(fmt::format("replica {} does not stream from the primary", r.node));
  }
  if (bad.empty()) return 0;
  return ctx.out.Fail(Status::Failure(fmt::format("the stack in {} is degraded: {}: pgstack up "
                                                  "repairs it",
                                                  ctx.global.state_dir, fmt::join(bad, ", ")))
                          .Because(kStackStopped));
}

}  // namespace

RunFn RegisterDown(CLI::App& sub, Context& ctx) {
  return [&ctx] {
    auto before = stack::GetStatus(ctx.global.state_dir);
    bool was_stopped =
        before.ok() && before->exists && !before->postgres_running && !before->pgbouncer_running;
    auto dropped = DropTestdbDatabases(ctx.global.state_dir);
    // The stack stops even when that failed; the failure is the answer then. Down runs even on a
    // stopped stack: it clears what a crashed server left behind.
    Status s = stack::Down(ctx.global.state_dir, core::SystemProcessRunner(),
                           [&ctx](const std::string& line) { ctx.out.Notice(line); });
    if (!s.ok()) return ctx.out.Fail(s);
    if (!dropped.ok()) {
      return ctx.out.Fail(dropped.status().WithContext(
          "stopped the stack, but could not drop testdb's databases first"));
    }
    if (*dropped > 0) ctx.out.Line(fmt::format("dropped {} testdb databases", *dropped));
    ctx.out.Line(was_stopped
                     ? "already stopped; data kept in " + ctx.global.state_dir
                     : "stopped PgBouncer and PostgreSQL; data kept in " + ctx.global.state_dir);
    ctx.out.Json({{"stopped", true},
                  {"already_stopped", was_stopped},
                  {"testdb_databases_dropped", *dropped}});
    return 0;
  };
}

// `status` as a document: what is not known (the version of a server that is not running) is
// left out rather than given as "".
nlohmann::json StatusJson(const std::string& state_dir, const stack::StackStatus& s) {
  const auto& st = s.state;
  nlohmann::json pg = {{"running", s.postgres_running}};
  nlohmann::json bouncer = {{"running", s.pgbouncer_running}};
  if (s.exists) {
    pg["port"] = st.pg_port;
    bouncer["port"] = st.pool_port;
  }
  if (!s.postgres_version.empty()) pg["version"] = s.postgres_version;
  if (!st.pg_bin.empty()) pg["bin"] = st.pg_bin;
  if (s.postgres_durable) pg["durability"] = *s.postgres_durable ? "on" : "off";
  return {{"state_dir", state_dir}, {"exists", s.exists},   {"complete", s.complete},
          {"postgres", pg},         {"pgbouncer", bouncer}, {"replicas", ReplicasJson(s.replicas)}};
}

RunFn RegisterStatus(CLI::App& sub, Context& ctx) {
  sub.footer(
      "Exit status: 0 PostgreSQL, PgBouncer and every replica run (each replica streaming); 5 "
      "the stack is stopped, only part of it runs, or a replica is stopped, fenced by a promote "
      "or not streaming from the primary (pgstack up repairs it); 6 there is no stack in the state "
      "directory; 1 the last `pgstack up` did not "
      "finish.");
  return [&ctx] {
    auto s = stack::GetStatus(ctx.global.state_dir);
    if (!s.ok()) return ctx.out.Fail(s.status());
    ctx.out.Json(StatusJson(ctx.global.state_dir, *s));
    if (!s->exists) {
      return ctx.out.Fail(location::NoStack(ctx.global.state_dir));
    }
    for (const std::string& line : StatusLines(*s)) ctx.out.Line(line);
    if (!s->complete) {
      // Not a healthy stack: a script that asks status must not read success.
      return ctx.out.Fail(Status::Failure(fmt::format(
          "{}: the last `pgstack up` there did not finish: run it again, or `pgstack destroy "
          "--yes`",
          ctx.global.state_dir)));
    }
    if (!s->postgres_running || !s->pgbouncer_running) {
      return ctx.out.Fail(
          Status::Failure(fmt::format("the stack in {} is {}: pgstack up starts it",
                                      ctx.global.state_dir,
                                      s->postgres_running || s->pgbouncer_running ? "partly stopped"
                                                                                  : "stopped"))
              .Because(kStackStopped));
    }
    return ReplicasFail(ctx, *s);
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
    Status s = stack::Destroy(ctx.global.state_dir, core::SystemProcessRunner(),
                              [&ctx](const std::string& line) { ctx.out.Notice(line); });
    if (!s.ok()) return ctx.out.Fail(s);
    ctx.out.Line("destroyed " + ctx.global.state_dir);
    ctx.out.Json({{"destroyed", true}});
    return 0;
  };
}

}  // namespace pgstack::cli
