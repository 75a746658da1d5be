#include "replica_follow.h"

#include <fmt/format.h>

#include <set>

#include "cluster.h"
#include "pgstack/core/files.h"
#include "pgstack/core/wait.h"
#include "pgstack/stack/replica.h"
#include "replicas.h"

namespace pgstack::stack {
namespace {

// A superuser on node port `port`'s socket.
pg::ConnParams NodeSuperuser(const Followers& f, int port) {
  return {.host = f.root.run, .port = port, .user = f.st.os_user, .dbname = "postgres"};
}

// Rewrites r's replica.conf for the new primary and, when it runs, reloads it. True when it runs.
Result<bool> Repoint(const Followers& f, const location::ReplicaState& r) {
  StatePaths np = f.root.Node(r.node);  // Cluster keeps a reference
  PGSTACK_RETURN_IF_ERROR(
      core::ReplaceFile(ReplicaConfPath(np),
                        RenderReplicaConf(f.env, f.root, f.primary_port, r.node), 0600,
                        core::Owner{f.service.uid, f.service.gid})
          .status());
  if (!Cluster(np, f.st.pg_bin, f.service, f.runner).Running()) return false;
  PGSTACK_ASSIGN_OR_RETURN(pg::Connection c, pg::Connection::Open(NodeSuperuser(f, r.port)));
  PGSTACK_RETURN_IF_ERROR(c.Run("SELECT pg_reload_conf()"));
  return true;
}

// The new primary's timeline: the one its WAL is written on now (pg_walfile_name's first eight
// hex digits; pg_control's checkpoint keeps the old one until the next checkpoint).
Result<std::string> CurrentTimeline(pg::Connection& primary) {
  PGSTACK_ASSIGN_OR_RETURN(
      auto q, primary.Exec("SELECT ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, "
                           "8))::bit(32)::int"));
  return q.scalar();
}

// The followers among `nodes` that stream from `primary` on its timeline. A follower that
// replayed past the fork connects, and may show as streaming on the primary for a moment,
// before it finds it cannot follow: only WAL received on the new timeline proves it follows.
Result<std::set<int>> Streaming(const Followers& f, pg::Connection& primary,
                                const std::set<int>& nodes) {
  PGSTACK_ASSIGN_OR_RETURN(std::string tli, CurrentTimeline(primary));
  PGSTACK_ASSIGN_OR_RETURN(auto q, primary.Exec("SELECT application_name FROM pg_stat_replication "
                                                "WHERE state = 'streaming'"));
  std::set<int> out;
  for (const auto& r : f.replicas) {
    if (!nodes.count(r.node)) continue;
    bool listed = false;
    for (int i = 0; i < q.rows(); ++i) listed = listed || q.get(i, 0) == ReplicaSlotName(r.node);
    if (!listed) continue;
    auto c = pg::Connection::Open(NodeSuperuser(f, r.port));
    if (!c.ok()) continue;
    auto w = c->Exec(
        "SELECT received_tli = $1::int FROM pg_stat_wal_receiver WHERE status = "
        "'streaming'",
        {tli});
    if (w.ok() && w->scalar() == "t") out.insert(r.node);
  }
  return out;
}

}  // namespace

Status MakeFollowerSlots(const Followers& f, pg::Connection& next_primary) {
  for (const auto& r : f.replicas) {
    PGSTACK_RETURN_IF_ERROR(
        next_primary.Run("SELECT pg_create_physical_replication_slot($1, true) WHERE NOT EXISTS "
                         "(SELECT 1 FROM pg_replication_slots WHERE slot_name = $1)",
                         {ReplicaSlotName(r.node)}));
  }
  return Status::Ok();
}

Status FollowNewPrimary(const Followers& f, pg::Connection& new_primary,
                        std::vector<std::string>& actions, std::vector<int>& fenced) {
  std::set<int> running;
  for (const auto& r : f.replicas) {
    PGSTACK_ASSIGN_OR_RETURN(bool runs, Repoint(f, r));
    if (runs)
      running.insert(r.node);
    else
      actions.push_back(
          fmt::format("replica {} is stopped: `pgstack up` starts it, following node {}", r.node,
                      f.primary_node));
  }
  std::set<int> streaming;
  Status waited = core::WaitUntil(
      {.what = fmt::format("the other replicas to follow node {}", f.primary_node),
       .timeout = std::chrono::seconds(30),
       .code = Code::kCheckFailed},
      [&] {
        auto s = Streaming(f, new_primary, running);
        if (!s.ok()) return core::Poll::Fail(s.status());
        streaming = std::move(*s);
        return streaming.size() == running.size() ? core::Poll::Ready()
                                                  : core::Poll::NotYet("not all stream yet");
      });
  if (!waited.ok() && waited.code() != Code::kCheckFailed) return waited;
  for (const auto& r : f.replicas) {
    if (!running.count(r.node)) continue;
    if (streaming.count(r.node)) {
      actions.push_back(fmt::format("replica {} follows node {} (port {})", r.node, f.primary_node,
                                    f.primary_port));
      continue;
    }
    // It replayed past the fork, or the WAL it needs is gone: only a new copy makes it a replica.
    StatePaths np = f.root.Node(r.node);
    PGSTACK_RETURN_IF_ERROR(Cluster(np, f.st.pg_bin, f.service, f.runner).Stop());
    PGSTACK_RETURN_IF_ERROR(
        Fence(np, fmt::format("it could not follow node {} after the promote", f.primary_node),
              {f.service.uid, f.service.gid}));
    fenced.push_back(r.node);
    actions.push_back(fmt::format(
        "replica {} could not follow node {}: stopped and fenced; `pgstack up` rebuilds it", r.node,
        f.primary_node));
  }
  return Status::Ok();
}

}  // namespace pgstack::stack
