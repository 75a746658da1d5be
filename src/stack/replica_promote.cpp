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
#include "promote_safety.h"
#include "replica_follow.h"
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
    ReplicaStatus s{.node = r.node, .port = r.port, .running = cluster.Running()};
    s.fenced = np.FenceReason();
    out.push_back(std::move(s));
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

// A superuser on the socket of the node listening on `port`.
pg::ConnParams NodeSuperuser(const StatePaths& root, const StackState& st, int port) {
  return {.host = root.run, .port = port, .user = st.os_user, .dbname = "postgres"};
}

// The replica options.node names (default: the first); kInvalidInput when there is none, and
// kCheckFailed when it is fenced (it must be rebuilt first).
Result<location::ReplicaState> Choose(const std::string& state_dir, const StackState& st,
                                      std::optional<int> node) {
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
  StatePaths np = StatePaths(state_dir).Node(it->node);
  if (np.Fenced()) {
    return Status::CheckFailed(fmt::format(
        "replica {} (port {}) must be rebuilt before it can be promoted ({}): run pgstack up",
        it->node, it->port, np.FenceReason()));
  }
  return *it;
}

// One promote, as a sequence of named steps over the stack's state.
class Promotion {
 public:
  Promotion(const core::Environment& env, const std::string& state_dir,
            const PromoteOptions& options, core::ProcessRunner& runner, StackState st,
            core::OsUser svc, location::ReplicaState chosen)
      : env_(env),
        state_dir_(state_dir),
        root_(state_dir),
        force_(options.force),
        runner_(runner),
        st_(std::move(st)),
        svc_(std::move(svc)),
        owner_{svc_.uid, svc_.gid},
        chosen_(chosen),
        old_paths_(root_.Node(st_.primary_node)),
        new_paths_(root_.Node(chosen.node)),
        old_primary_(old_paths_, st_.pg_bin, svc_, runner),
        replica_(new_paths_, st_.pg_bin, svc_, runner) {
    report_ = {.node = chosen.node, .port = chosen.port, .old_node = st_.primary_node};
  }

  Result<PromoteReport> Run() {
    if (!replica_.Running()) {
      return Status::Failure(
          fmt::format("replica {} (port {}) is not running: `pgstack up` starts it, then promote",
                      chosen_.node, chosen_.port));
    }
    PGSTACK_RETURN_IF_ERROR(CheckCaughtUp());
    PGSTACK_RETURN_IF_ERROR(StopOldPrimary());
    PGSTACK_RETURN_IF_ERROR(CheckReplayed());
    PGSTACK_RETURN_IF_ERROR(PromoteReplica());
    // Recorded before the others follow: killed while they do, the next `up` points them at the
    // node state.json names, the one some already follow.
    stack::Followers followers = Followers();
    PGSTACK_RETURN_IF_ERROR(Record());
    PGSTACK_RETURN_IF_ERROR(
        FollowNewPrimary(followers, *replica_conn_, report_.actions, report_.to_rebuild));
    PGSTACK_RETURN_IF_ERROR(RepointPgBouncer());
    return report_;
  }

 private:
  // The replicas other than the chosen one that are not fenced already.
  stack::Followers Followers() const {
    stack::Followers f{.env = env_,
                       .root = root_,
                       .st = st_,
                       .service = svc_,
                       .runner = runner_,
                       .primary_node = chosen_.node,
                       .primary_port = chosen_.port};
    for (const auto& r : st_.replicas)
      if (r.node != chosen_.node && !root_.Node(r.node).Fenced()) f.replicas.push_back(r);
    return f;
  }

  // Before anything changes: the replica streams from the running primary and replayed what it
  // flushed.
  Status CheckCaughtUp() {
    was_running_ = old_primary_.Running();
    if (force_) return Status::Ok();
    if (!was_running_) {
      return Status::CheckFailed(fmt::format(
          "the primary (node {}, port {}) is not running, so whether replica {} has every "
          "committed row cannot be told: `pgstack up` starts it (then promote), or --force "
          "promotes anyway",
          st_.primary_node, st_.pg_port, chosen_.node));
    }
    PGSTACK_ASSIGN_OR_RETURN(pg::Connection primary,
                             pg::Connection::Open(NodeSuperuser(root_, st_, st_.pg_port)));
    return AwaitCaughtUp(primary, chosen_, st_.pg_port);
  }

  // A fast shutdown sends every WAL record to the connected standbys (and waits until they have
  // flushed it) before it ends, and two primaries never run at once.
  Status StopOldPrimary() {
    if (!was_running_) return Status::Ok();
    PGSTACK_RETURN_IF_ERROR(old_primary_.Stop());
    report_.actions.push_back(fmt::format("stopped the old primary (port {})", st_.pg_port));
    return Status::Ok();
  }

  // The replica replayed the stopped primary's WAL to its end; else, unless forced, the primary
  // is started again and the promote refused.
  Status CheckReplayed() {
    PGSTACK_ASSIGN_OR_RETURN(replica_conn_,
                             pg::Connection::Open(NodeSuperuser(root_, st_, chosen_.port)));
    if (!old_primary_.Initialized()) {  // only with force: it was not running
      report_.lost = fmt::format(
          "the old primary's data directory ({}) is gone: nothing tells what replica {} lacks",
          old_paths_.data, chosen_.node);
      return Status::Ok();
    }
    PGSTACK_ASSIGN_OR_RETURN(ReplayGap gap, AwaitReplayOf(old_primary_, *replica_conn_));
    if (gap.caught_up) {
      if (!was_running_)
        report_.lost = fmt::format(
            "the old primary was not running: whatever it wrote after its last checkpoint ({}) "
            "and did not send to replica {} is lost",
            gap.end_lsn, chosen_.node);
      return Status::Ok();
    }
    if (force_) {
      report_.lost = DescribeGap(chosen_, gap);
      return Status::Ok();
    }
    Status restarted = old_primary_.Start();
    if (!restarted.ok())
      return restarted.WithContext(
          DescribeGap(chosen_, gap) +
          "; the promote was refused, but the primary did not start again");
    return Status::CheckFailed(DescribeGap(chosen_, gap) +
                               "; the primary was started again: `pgstack up` lets the replica "
                               "catch up, or --force promotes it anyway");
  }

  // Fenced first: a start (by pgstack or by hand) finds standby.signal and stays read-only; the
  // marker tells the next `up` to rebuild it as a replica of the new primary.
  Status PromoteReplica() {
    PGSTACK_RETURN_IF_ERROR(MakeFollowerSlots(Followers(), *replica_conn_));
    if (old_primary_.Initialized()) {
      PGSTACK_RETURN_IF_ERROR(Fence(
          old_paths_, fmt::format("it was the primary before node {} was promoted", chosen_.node),
          owner_));
      report_.actions.push_back("fenced the old primary (standby.signal; up rebuilds it)");
    }
    report_.to_rebuild.push_back(st_.primary_node);
    PGSTACK_RETURN_IF_ERROR(
        RunAs(runner_, svc_,
              {st_.pg_bin + "/pg_ctl", "-D", new_paths_.data, "-w", "-t", "60", "-s", "promote"},
              "pg_ctl promote"));
    std::error_code ec;
    std::filesystem::remove(ReplicaConfPath(new_paths_), ec);
    report_.actions.push_back(
        fmt::format("promoted replica {} (port {}) to primary", chosen_.node, chosen_.port));
    return Status::Ok();
  }

  Status Record() {
    std::erase_if(st_.replicas, [&](const auto& r) { return r.node == chosen_.node; });
    st_.replicas.push_back({.node = st_.primary_node, .port = st_.pg_port});
    st_.primary_node = chosen_.node;
    st_.pg_port = chosen_.port;
    return location::SaveState(state_dir_, st_);
  }

  Status RepointPgBouncer() {
    PGSTACK_ASSIGN_OR_RETURN(std::string ini, RenderLocalIni(env_, root_, st_));
    PGSTACK_ASSIGN_OR_RETURN(bool changed,
                             core::ReplaceFile(root_.pgbouncer_ini, ini, 0600, owner_));
    PgBouncerProcess bouncer(root_, svc_, runner_);
    if (!bouncer.Running()) return Status::Ok();
    if (changed) {
      PGSTACK_RETURN_IF_ERROR(bouncer.Reload());
      report_.actions.push_back(fmt::format("pointed PgBouncer's {} at port {} (reloaded)",
                                            env_.postgres.database, chosen_.port));
    }
    PGSTACK_ASSIGN_OR_RETURN(location::Endpoints ep, location::LocalEndpoints(env_, state_dir_));
    Status login = WaitForLogin(ep.pooled, std::chrono::seconds(30)).status();
    if (!login.ok())
      return login.WithContext(
          fmt::format("PgBouncer does not reach the new primary (see {})", root_.pgbouncer_log));
    return Status::Ok();
  }

  const core::Environment& env_;
  const std::string& state_dir_;
  const StatePaths root_;
  const bool force_;
  core::ProcessRunner& runner_;
  StackState st_;
  const core::OsUser svc_;
  const core::Owner owner_;
  const location::ReplicaState chosen_;
  const StatePaths old_paths_, new_paths_;  // the Clusters keep references
  Cluster old_primary_, replica_;
  bool was_running_ = false;
  std::optional<pg::Connection> replica_conn_;
  PromoteReport report_;
};

Result<PromoteReport> PromoteLocked(const core::Environment& env, const std::string& state_dir,
                                    const PromoteOptions& options, core::ProcessRunner& runner) {
  PGSTACK_ASSIGN_OR_RETURN(StackState st, location::LoadState(state_dir));
  PGSTACK_ASSIGN_OR_RETURN(location::ReplicaState chosen, Choose(state_dir, st, options.node));
  PGSTACK_ASSIGN_OR_RETURN(core::OsUser svc, core::LookupOsUser(st.os_user));
  return Promotion(env, state_dir, options, runner, std::move(st), std::move(svc), chosen).Run();
}

}  // namespace

Result<PromoteReport> Promote(const core::Environment& env, const std::string& state_dir,
                              const PromoteOptions& options, core::ProcessRunner& runner) {
  if (env.mode != core::Mode::kLocal) {
    return Status::InvalidInput(fmt::format(
        "{}: environment {} is external: promote its standby with the server's own tools "
        "(docs/operations.md)",
        env.file, env.name));
  }
  StatePaths root(state_dir);
  PGSTACK_ASSIGN_OR_RETURN(core::FileLock lock, LockStateDir(root, "pgstack promote"));
  return PromoteLocked(env, state_dir, options, runner);
}

}  // namespace pgstack::stack
