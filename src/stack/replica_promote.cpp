// pgstack promote, and what status says of the replicas.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "cluster.h"
#include "internal.h"
#include "pgbouncer_process.h"
#include "pgstack/core/files.h"
#include "pgstack/location/endpoints.h"
#include "pgstack/stack/replica.h"
#include "replicas.h"
#include "state_lock.h"

namespace pgstack::stack {

std::vector<ReplicaStatus> ReplicaStatuses(const std::string& state_dir,
                                           const location::StackState& st) {
  StatePaths root(state_dir);
  core::OsUser svc;
  if (auto u = core::LookupOsUser(st.os_user); u.ok()) svc = *u;
  std::vector<ReplicaStatus> out;
  for (const auto& r : st.replicas) {
    StatePaths np = root.Node(r.node);  // Cluster keeps a reference
    Cluster cluster(np, st.pg_bin, svc, core::SystemProcessRunner());
    out.push_back({.node = r.node, .port = r.port, .running = cluster.Running()});
  }
  if (out.empty()) return out;
  pg::ConnParams su{.host = root.run, .port = st.pg_port, .user = st.os_user, .dbname = "postgres"};
  auto c = pg::Connection::Open(su);
  if (!c.ok()) return out;
  auto q = c->Exec(
      "SELECT application_name, state, "
      "pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint AS lag_bytes, "
      "extract(epoch FROM replay_lag) AS lag_seconds FROM pg_stat_replication");
  if (!q.ok()) return out;
  for (auto& s : out) {
    for (int i = 0; i < q->rows(); ++i) {
      if (q->get(i, "application_name") != ReplicaSlotName(s.node)) continue;
      s.state = q->get(i, "state");
      int bytes = q->column("lag_bytes");
      if (auto b = q->get_int<long long>(i, bytes); !q->is_null(i, bytes) && b.ok()) {
        s.lag_bytes = *b;
      }
      // replay_lag is NULL once the replica has replayed everything and nothing new came.
      auto t = q->get_opt(i, q->column("lag_seconds"));
      s.lag_seconds = t ? std::strtod(t->c_str(), nullptr) : 0.0;
    }
  }
  return out;
}

namespace {

Result<PromoteReport> PromoteLocked(const core::Environment& env, const std::string& state_dir,
                                    std::optional<int> node, core::ProcessRunner& runner) {
  StatePaths root(state_dir);
  PGSTACK_ASSIGN_OR_RETURN(StackState st, location::LoadState(state_dir));
  if (st.replicas.empty()) {
    return Status::InvalidInput(fmt::format(
        "{}: the stack has no replica to promote (pgstack up --replicas 1 makes one)", state_dir));
  }
  auto it = st.replicas.begin();
  if (node) {
    it = std::find_if(st.replicas.begin(), st.replicas.end(),
                      [&](const auto& r) { return r.node == *node; });
    if (it == st.replicas.end()) {
      std::string known;
      for (const auto& r : st.replicas)
        known += (known.empty() ? "" : ", ") + std::to_string(r.node);
      return Status::InvalidInput(
          fmt::format("no replica {} in {} (its replicas: {})", *node, state_dir, known));
    }
  }
  location::ReplicaState chosen = *it;
  PGSTACK_ASSIGN_OR_RETURN(core::OsUser svc, core::LookupOsUser(st.os_user));
  core::Owner owner{svc.uid, svc.gid};
  StatePaths old_paths = root.Node(st.primary_node), new_paths = root.Node(chosen.node);
  Cluster old_primary(old_paths, st.pg_bin, svc, runner);
  Cluster replica(new_paths, st.pg_bin, svc, runner);
  if (!replica.Running()) {
    return Status::Failure(
        fmt::format("replica {} (port {}) is not running: `pgstack up` starts it, then promote",
                    chosen.node, chosen.port));
  }
  PromoteReport report{.node = chosen.node, .port = chosen.port, .old_node = st.primary_node};
  // The old primary stops first: a fast shutdown sends every WAL record to the connected
  // standbys before it ends, so nothing committed is lost, and two primaries never run at once.
  if (old_primary.Running()) {
    PGSTACK_RETURN_IF_ERROR(old_primary.Stop());
    report.actions.push_back(fmt::format("stopped the old primary (port {})", st.pg_port));
  }
  // Fenced: a start (by pgstack or by hand) finds standby.signal and stays read-only; the
  // marker tells the next `up` to rebuild it as a replica of the new primary.
  if (old_primary.Initialized()) {
    PGSTACK_RETURN_IF_ERROR(
        core::WriteFileAtomic(old_paths.data + "/standby.signal", "", 0600, owner));
    PGSTACK_RETURN_IF_ERROR(core::WriteFileAtomic(
        old_paths.data + "/pgstack.fenced",
        fmt::format("replaced by node {} (pgstack promote); pgstack up rebuilds it as a replica\n",
                    chosen.node),
        0600, owner));
    report.actions.push_back("fenced the old primary (standby.signal; up rebuilds it)");
  }
  PGSTACK_RETURN_IF_ERROR(RunAs(
      runner, svc, {st.pg_bin + "/pg_ctl", "-D", new_paths.data, "-w", "-t", "60", "-s", "promote"},
      "pg_ctl promote"));
  std::error_code ec;
  std::filesystem::remove(new_paths.conf_dir + "/replica.conf", ec);
  report.actions.push_back(
      fmt::format("promoted replica {} (port {}) to primary", chosen.node, chosen.port));

  st.replicas.erase(it);
  st.replicas.push_back({.node = st.primary_node, .port = st.pg_port});
  st.primary_node = chosen.node;
  st.pg_port = chosen.port;
  PGSTACK_RETURN_IF_ERROR(location::SaveState(state_dir, st));

  PGSTACK_ASSIGN_OR_RETURN(std::string ini, RenderLocalIni(env, root, st));
  PGSTACK_ASSIGN_OR_RETURN(bool changed, core::ReplaceFile(root.pgbouncer_ini, ini, 0600, owner));
  PgBouncerProcess bouncer(root, svc, runner);
  if (changed && bouncer.Running()) {
    PGSTACK_RETURN_IF_ERROR(bouncer.Reload());
    report.actions.push_back(fmt::format("pointed PgBouncer's {} at port {} (reloaded)",
                                         env.postgres.database, chosen.port));
  }
  if (bouncer.Running()) {
    PGSTACK_ASSIGN_OR_RETURN(location::Endpoints ep, location::LocalEndpoints(env, state_dir));
    Status login = WaitForLogin(ep.pooled, std::chrono::seconds(30)).status();
    if (!login.ok())
      return login.WithContext(
          fmt::format("PgBouncer does not reach the new primary (see {})", root.pgbouncer_log));
  }
  return report;
}

}  // namespace

Result<PromoteReport> Promote(const core::Environment& env, const std::string& state_dir,
                              std::optional<int> node, core::ProcessRunner& runner) {
  if (env.mode != core::Mode::kLocal) {
    return Status::InvalidInput(fmt::format(
        "{}: environment {} is external: promote its standby with the server's own tools "
        "(docs/operations.md)",
        env.file, env.name));
  }
  StatePaths root(state_dir);
  PGSTACK_ASSIGN_OR_RETURN(
      StateLock lock, StateLock::Acquire(root, "pgstack promote", StateLock::DefaultTimeout()));
  return PromoteLocked(env, state_dir, node, runner);
}

}  // namespace pgstack::stack
