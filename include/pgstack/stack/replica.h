// Hot standbys of the local stack (`up --replicas N`) and `pgstack promote`. Up() makes and
// repairs them (src/stack/replicas.h); this is what the CLI asks of them directly.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pgstack/core/config.h"
#include "pgstack/core/process.h"
#include "pgstack/core/status.h"
#include "pgstack/location/stack_state.h"

namespace pgstack::stack {

using location::ReplicaSlotName;
// The role replicas log in as (REPLICATION, SCRAM; its password in
// StatePaths::ReplicationPassfile).
inline constexpr const char* kReplicationRole = "pgstack_replication";

struct ReplicaStatus {
  int node = 0;
  int port = 0;
  bool running = false;
  std::string fenced;  // why `pgstack up` must rebuild it (StatePaths::fence_marker); "" if not
  std::string state;   // pg_stat_replication.state on the primary ("streaming"), "" when absent
  std::optional<long long> lag_bytes;  // the primary's current LSN minus the replica's replay LSN
  std::optional<double> lag_seconds;   // pg_stat_replication.replay_lag
};
// What runs and how far behind each replica of `st` is; the primary is asked over `run`'s socket
// when it runs (else state and lag stay empty).
std::vector<ReplicaStatus> ReplicaStatuses(const std::string& state_dir,
                                           const location::StackState& st);

struct PromoteOptions {
  std::optional<int> node;  // the replica to promote; nullopt: the first
  // Promote even a replica that does not stream from the primary, or has not replayed all of its
  // WAL; what it lacks is then lost, and PromoteReport::lost says what.
  bool force = false;
};
struct PromoteReport {
  int node = 0;  // the new primary
  int port = 0;
  int old_node = 0;
  std::vector<int> to_rebuild;  // fenced until `up` rebuilds them: old_node, and any that could
                                // not follow the new primary
  std::string lost;             // with force: what the promoted replica had not replayed
  std::vector<std::string> actions;
};
// Makes replica options.node the primary. Unless options.force, kCheckFailed before anything
// changes when the replica does not stream from the running primary, and after it stopped the
// primary (then started again) when the replica has not replayed its WAL to the end. Stops the
// old primary and fences it (standby.signal and a marker, so that nothing starts it as a
// primary), promotes the replica, points the other replicas at it (those that cannot follow
// are fenced too), points PgBouncer's pooled entry at it and records it in state.json. The next
// `up` rebuilds the fenced nodes as replicas of the new one.
Result<PromoteReport> Promote(const core::Environment& env, const std::string& state_dir,
                              const PromoteOptions& options,
                              core::ProcessRunner& runner = core::SystemProcessRunner());

}  // namespace pgstack::stack
