// The replicas of the local stack as Up(), Down() and Destroy() keep them: made from the running
// primary without stopping it (a physical slot, pg_backup_start held open while the data
// directory is copied, pg_backup_stop's label written as backup_label), restarted when stopped,
// rebuilt when their slot is gone or invalidated, removed when there are more than wanted.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cluster.h"
#include "internal.h"
#include "pgstack/core/files.h"
#include "pgstack/core/port_lock.h"
#include "pgstack/stack/action.h"

namespace pgstack::stack {

// PostgreSQL's default max_wal_senders and max_replication_slots, which pgstack keeps: one
// sender and one slot per replica.
inline constexpr int kMaxWalSenders = 10;

// The replicas `up` should leave: the first `wanted` of `current` (all of them when nullopt),
// then new nodes on free ports (locked in `held` until Up returns). kInvalidInput, before
// anything starts, when more are wanted than the primary's senders and slots allow.
Result<std::vector<location::ReplicaState>> PlanReplicas(
    const std::vector<location::ReplicaState>& current, int primary_node, std::optional<int> wanted,
    const std::string& host, std::vector<core::PortLock>& held);

// Everything EnsureReplicas works with. `env` carries the application role's password.
struct ReplicaSet {
  const core::Environment& env;
  const StatePaths& root;  // StatePaths(state_dir): node 0's paths and everything shared
  const StackState& state;
  const core::OsUser& service;
  core::ProcessRunner& runner;
};
// Makes, restarts or rebuilds every replica of set.state and removes every other: those of
// `previous` it no longer lists, and any a killed run left (a directory under replicas/, a slot
// named for a node); their slots too. Waits until each streams. `primary` is a superuser connection
// to the running primary. Adds what it did to actions.
Status EnsureReplicas(const ReplicaSet& set, const std::vector<location::ReplicaState>& previous,
                      pg::Connection& primary, std::vector<Action>& actions);

// `pgstack promote` fences the old primary (standby.signal and a marker) before it promotes a
// replica and records the new primary in state.json. Killed in between, state.json still names
// the fenced node: the promote did not happen, and `up` lifts the fence (stopping the node first
// if it was started, read-only) before it starts the primary. A standby.signal without the marker
// (a promote killed between the two writes) is such a fence too. True when there was one.
Result<bool> LiftFence(Cluster& primary, const StatePaths& paths);

// Fences node `node` (stopped): standby.signal, so that no start makes it a primary, and the
// marker (StatePaths::fence_marker) holding `why`, so that `up` rebuilds it as a replica and
// status, verify and the read pool leave it out until then (StatePaths::FenceReason).
Status Fence(const StatePaths& node, const std::string& why, core::Owner owner);

// conf.d/replica.conf of a node: what makes it a standby of the primary (RenderReplicaConf).
std::string ReplicaConfPath(const StatePaths& node);

// Stops every replica of st that runs, and any other whose directory is under replicas/ (a
// removal killed half way no longer lists it): down, destroy.
Status StopReplicas(const StatePaths& root, const StackState& st, const core::OsUser& service,
                    core::ProcessRunner& runner);

// The standby part of a replica's configuration (conf.d/replica.conf): where the primary is,
// the slot, and the passfile (the password itself never reaches a command line or this file).
std::string RenderReplicaConf(const core::Environment& env, const StatePaths& root,
                              int primary_port, int node);

// The line pg_hba needs for replicas to log in as kReplicationRole (SCRAM, loopback).
std::string ReplicationHbaLines();

}  // namespace pgstack::stack
