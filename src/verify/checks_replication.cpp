// Streaming replicas (pgstack up --replicas N): on the primary, pg_stat_replication and
// pg_replication_slots say what streams and what holds WAL; the replicas themselves are asked
// whether they refuse writes. A local stack's replicas come from its state.json; against an
// external server, what its catalog shows is what there is.
#include <fmt/format.h>

#include <chrono>
#include <map>
#include <optional>

#include "checks.h"
#include "pgstack/core/parse_int.h"
#include "pgstack/core/process.h"
#include "pgstack/location/stack_state.h"
#include "pgstack/pg/error_class.h"
#include "text.h"
#include "transaction.h"

namespace pgstack::verify {
namespace {

constexpr const char* kNoReplicas =
    "the stack has no replicas (pgstack up --replicas N makes them)";

// The local stack's replicas; empty in external mode (and for a stack without any).
Result<std::vector<location::ReplicaState>> LocalReplicas(Probe& probe) {
  if (!probe.local()) return std::vector<location::ReplicaState>{};
  PGSTACK_ASSIGN_OR_RETURN(location::StackState st, location::LoadState(probe.state_dir()));
  return st.replicas;
}

}  // namespace

bool ReplicasExpected(Probe& probe) {
  auto r = LocalReplicas(probe);
  return !probe.local() || !r.ok() || !r->empty();  // an unreadable state: let the checks say so
}

namespace {

struct Sender {
  std::string name;  // application_name
  std::string state;
  long long lag_bytes = -1;  // -1: nothing replayed yet
};

Result<std::vector<Sender>> Senders(pg::Connection& c) {
  PGSTACK_ASSIGN_OR_RETURN(
      auto q, c.Exec("SELECT application_name, state, "
                     "coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint, -1) "
                     "FROM pg_stat_replication ORDER BY application_name"));
  std::vector<Sender> out;
  for (int i = 0; i < q.rows(); ++i) {
    PGSTACK_ASSIGN_OR_RETURN(long long lag, q.get_int<long long>(i, 2));
    out.push_back({std::string(q.get(i, 0)), std::string(q.get(i, 1)), lag});
  }
  return out;
}

// A node a promote fenced: a replica again only once `up` rebuilds it.
std::string Fenced(const location::ReplicaState& r, const std::string& why) {
  return fmt::format("replica {} (port {}) needs a rebuild ({}): pgstack up", r.node, r.port, why);
}

const Sender* Find(const std::vector<Sender>& senders, int node) {
  for (const auto& s : senders)
    if (s.name == location::ReplicaSlotName(node)) return &s;
  return nullptr;
}

// What the streaming and lag checks read first: the replicas pgstack made (none in external
// mode) and the primary's WAL senders. An outcome when the check ends there.
std::optional<Outcome> ReadStandbys(Probe& probe, std::vector<location::ReplicaState>* replicas,
                                    std::vector<Sender>* senders) {
  auto r = LocalReplicas(probe);
  if (!r.ok()) return probe.Unreachable(r.status());
  if (probe.local() && r->empty()) return Outcome::Skip(kNoReplicas);
  auto c = probe.Superuser();
  if (!c.ok()) return probe.Unreachable(c.status());
  auto s = Senders(**c);
  if (!s.ok()) return Outcome::Fail(s.status().message());
  *replicas = std::move(*r);
  *senders = std::move(*s);
  return std::nullopt;
}

}  // namespace

Outcome ReplicationStreaming(Probe& probe) {
  std::vector<location::ReplicaState> replicas;
  std::vector<Sender> senders;
  if (auto early = ReadStandbys(probe, &replicas, &senders)) return *early;
  std::vector<std::string> bad, good;
  if (!probe.local()) {
    if (senders.empty()) return Outcome::Skip("no standby streams from this server");
    for (const auto& s : senders)
      (s.state == "streaming" ? good : bad).push_back(fmt::format("{} {}", s.name, s.state));
  }
  location::StatePaths paths(probe.state_dir());
  for (const auto& r : replicas) {
    const Sender* s = Find(senders, r.node);
    bool running =
        core::ProcessAlive(core::ReadPidFile(paths.Node(r.node).data + "/postmaster.pid"));
    if (std::string why = paths.Node(r.node).FenceReason(); !why.empty())
      bad.push_back(Fenced(r, why));
    else if (!running)
      bad.push_back(fmt::format("replica {} (port {}) is not running", r.node, r.port));
    else if (!s)
      bad.push_back(fmt::format("replica {} (port {}) is not connected", r.node, r.port));
    else if (s->state != "streaming")
      bad.push_back(fmt::format("replica {} (port {}) is {}", r.node, r.port, s->state));
    else
      good.push_back(fmt::format("replica {} (port {})", r.node, r.port));
  }
  std::string expected = fmt::format("{} streaming", good.size() + bad.size());
  if (!bad.empty())
    return Outcome::Fail(Join(bad), expected, fmt::format("{} streaming", good.size()));
  return Outcome::Pass("streaming: " + Join(good), expected, expected);
}

Outcome ReplicationLag(Probe& probe) {
  std::vector<location::ReplicaState> replicas;
  std::vector<Sender> senders;
  if (auto early = ReadStandbys(probe, &replicas, &senders)) return *early;
  if (senders.empty())
    return probe.local() ? Outcome::Fail("no replica streams (see replication.streaming)")
                         : Outcome::Skip("no standby streams from this server");
  long long bound = probe.env().replication.max_lag_bytes, worst = 0;
  std::vector<std::string> over, all;
  for (const auto& s : senders) {
    std::string lag =
        s.lag_bytes < 0 ? "nothing replayed yet" : fmt::format("{} bytes", s.lag_bytes);
    all.push_back(fmt::format("{} {}", s.name, lag));
    if (s.lag_bytes < 0 || s.lag_bytes > bound) over.push_back(all.back());
    worst = std::max(worst, s.lag_bytes);
  }
  std::string expected = fmt::format("<= {} bytes (replication.max_lag_bytes)", bound);
  if (!over.empty())
    return Outcome::Fail("behind: " + Join(over), expected, fmt::format("{} bytes", worst));
  return Outcome::Pass("replay lag: " + Join(all), expected, fmt::format("{} bytes", worst));
}

namespace {

// What a check that reaches each replica by its address needs: a local stack's replicas and its
// endpoints; or, in `done`, the check's outcome before any replica is asked (external mode, no
// replica, state or endpoints unreadable).
struct ReplicaTargets {
  std::vector<location::ReplicaState> replicas;
  const location::Endpoints* endpoints = nullptr;
  std::optional<Outcome> done;
};

ReplicaTargets TargetsOf(Probe& probe) {
  if (!probe.local())
    return {.done = Outcome::Skip("external mode: pgstack does not know the standbys' addresses")};
  auto replicas = LocalReplicas(probe);
  if (!replicas.ok()) return {.done = probe.Unreachable(replicas.status())};
  if (replicas->empty()) return {.done = Outcome::Skip(kNoReplicas)};
  auto ep = probe.endpoints();
  if (!ep.ok()) return {.done = probe.Unreachable(ep.status())};
  return {.replicas = std::move(*replicas), .endpoints = *ep};
}

}  // namespace

Outcome ReplicationReadOnly(Probe& probe) {
  ReplicaTargets t = TargetsOf(probe);
  if (t.done) return *t.done;
  std::vector<std::string> refused, accepted, fenced;
  location::StatePaths paths(probe.state_dir());
  for (const auto& r : t.replicas) {
    if (std::string why = paths.Node(r.node).FenceReason(); !why.empty()) {
      fenced.push_back(Fenced(r, why));
      continue;
    }
    pg::ConnParams p = t.endpoints->direct;
    p.port = r.port;
    auto c = pg::Connection::Open(p);
    if (!c.ok())
      return Outcome::Fail(
          fmt::format("replica {} (port {}): {}", r.node, r.port, c.status().message()));
    // Rolled back whatever happens: a replica that takes it must keep nothing of the check.
    Status w = InRolledBackTransaction(
        *c, [&c] { return c->Run("CREATE TABLE pgstack_verify_read_only (x int)"); });
    if (w.ok())
      accepted.push_back(fmt::format("replica {} (port {})", r.node, r.port));
    else if (pg::Classify(w) == pg::ErrorClass::kReadOnlyTransaction)
      refused.push_back(fmt::format("replica {}", r.node));
    else
      return Outcome::Fail(fmt::format("replica {} (port {}): {}", r.node, r.port, w.message()));
  }
  if (!accepted.empty())
    return Outcome::Fail("a write was accepted by " + Join(accepted), "refused", "accepted");
  if (!fenced.empty()) return Outcome::Fail(Join(fenced), "refused", "not asked");
  return Outcome::Pass("a write is refused by " + Join(refused), "refused", "refused");
}

namespace {

// How long one reader through the read pool may wait for its answer. A replica in the rotation
// that does not answer makes PgBouncer retry it only after server_login_retry (15 s): such a
// reader waits.
constexpr auto kReaderLimit = std::chrono::seconds(5);

// PgBouncer's server connections per pool: more readers than that would wait for one another.
int PoolSize(const core::Environment& env) {
  for (const auto& [name, value] : env.pgbouncer.settings) {
    if (name != "default_pool_size") continue;
    auto n = core::ParseInt<int>(value, name);
    if (n.ok() && *n > 0) return *n;
  }
  return 20;  // PgBouncer's own default
}

// Readers that each hold a transaction open, so that each holds a server connection of its own:
// PgBouncer picks the next host of the rotation for each new server connection, and reuses idle
// ones first. Ends each transaction before it hangs up (a reader that leaves inside one would
// make PgBouncer close that server connection).
class Readers {
 public:
  ~Readers() {
    for (auto& c : held_) (void)c.Run("ROLLBACK");
  }
  // The port of the server the next reader reached, or why it reached none.
  Result<std::string> Next(const pg::ConnParams& read_pool) {
    PGSTACK_ASSIGN_OR_RETURN(pg::Connection c, pg::Connection::Open(read_pool));
    PGSTACK_RETURN_IF_ERROR(c.Run("BEGIN"));
    PGSTACK_ASSIGN_OR_RETURN(auto q, c.ExecWithin("SELECT current_setting('port')", kReaderLimit));
    held_.push_back(std::move(c));
    return std::string(q.scalar());
  }
  size_t size() const { return held_.size(); }

 private:
  std::vector<pg::Connection> held_;
};

}  // namespace

Outcome ReplicationReadPool(Probe& probe) {
  ReplicaTargets t = TargetsOf(probe);
  if (t.done) return *t.done;
  if (t.endpoints->read_pool.host.empty())
    return Outcome::Fail("no read pool: " + t.endpoints->no_read_pool);
  // A fenced node is out of the rotation on purpose (replication.streaming names it).
  std::map<std::string, std::string> unanswered;  // port -> the replica
  location::StatePaths paths(probe.state_dir());
  for (const auto& r : t.replicas)
    if (!paths.Node(r.node).Fenced())
      unanswered[std::to_string(r.port)] = fmt::format("replica {} (port {})", r.node, r.port);
  size_t wanted = unanswered.size();
  std::vector<std::string> answered;
  Readers readers;
  for (size_t limit = PoolSize(probe.env()); !unanswered.empty() && readers.size() < limit;) {
    auto port = readers.Next(t.endpoints->read_pool);
    if (!port.ok())
      return Outcome::Fail(fmt::format("reader {} through {}: {}", readers.size() + 1,
                                       t.endpoints->read_pool.dbname, port.status().message()));
    if (auto it = unanswered.find(*port); it != unanswered.end()) {
      answered.push_back(it->second);
      unanswered.erase(it);
    }
  }
  std::string expected = fmt::format("{} answer", wanted);
  std::string actual = fmt::format("{} answer", answered.size());
  if (!unanswered.empty()) {
    std::vector<std::string> missing;
    for (const auto& [port, name] : unanswered) missing.push_back(name);
    return Outcome::Fail(fmt::format("{} readers through {} never reached {}", readers.size(),
                                     t.endpoints->read_pool.dbname, Join(missing)),
                         expected, actual);
  }
  return Outcome::Pass(
      fmt::format("through {}: {} answer", t.endpoints->read_pool.dbname, Join(answered)), expected,
      actual);
}

Outcome ReplicationSlots(Probe& probe) {
  auto replicas = LocalReplicas(probe);
  if (!replicas.ok()) return probe.Unreachable(replicas.status());
  if (probe.local() && replicas->empty()) return Outcome::Skip(kNoReplicas);
  auto c = probe.Superuser();
  if (!c.ok()) return probe.Unreachable(c.status());
  auto q = (*c)->Exec(
      "SELECT slot_name, active, wal_status, "
      "coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint, 0) AS retained "
      "FROM pg_replication_slots ORDER BY slot_name");
  if (!q.ok()) return Outcome::Fail(q.status().message());
  if (q->rows() == 0)
    return probe.local() && !replicas->empty()
               ? Outcome::Fail("no replication slot on the primary, but the stack has replicas")
               : Outcome::Skip("no replication slots on this server");
  std::vector<std::string> idle, fine;
  for (int i = 0; i < q->rows(); ++i) {
    std::string name(q->get(i, "slot_name"));
    if (q->get(i, "active") == "t") {
      fine.push_back(name);
      continue;
    }
    idle.push_back(fmt::format("{} (inactive, {}, retains {} bytes of WAL)", name,
                               q->get(i, "wal_status"), q->get(i, "retained")));
  }
  if (!idle.empty())
    return Outcome::Fail(Join(idle), "every slot active", fmt::format("{} inactive", idle.size()));
  return Outcome::Pass("active: " + Join(fine), "every slot active", "every slot active");
}

}  // namespace pgstack::verify
