// After `pgstack promote`, the other replicas follow the new primary: each gets its slot on the
// new primary before the promote (a standby keeps physical slots through its promotion, and a
// slot made there holds WAL from the standby's last restartpoint), then, once it is promoted, a
// replica.conf naming it and a reload (primary_conninfo is reloadable; recovery_target_timeline
// 'latest' takes the new timeline). One that replayed past the fork, or lacks the WAL it needs,
// cannot: it is stopped and fenced, and `up` rebuilds it.
#pragma once

#include <string>
#include <vector>

#include "internal.h"
#include "pgstack/core/config.h"
#include "pgstack/core/process.h"
#include "pgstack/pg/connection.h"

namespace pgstack::stack {

// The replicas that should follow `primary_port` (node `primary_node`) after a promote.
struct Followers {
  const core::Environment& env;
  const StatePaths& root;
  const StackState& st;  // pg_bin, os_user
  const core::OsUser& service;
  core::ProcessRunner& runner;
  std::vector<location::ReplicaState> replicas;  // without the fenced ones
  int primary_node = 0;
  int primary_port = 0;
};

// Makes the slot of each follower on the replica about to be promoted (`next_primary`).
Status MakeFollowerSlots(const Followers& f, pg::Connection& next_primary);

// Points each follower at the new primary and waits until each that runs streams from it. Adds
// what it did to `actions` and the nodes it fenced to `fenced`.
Status FollowNewPrimary(const Followers& f, pg::Connection& new_primary,
                        std::vector<std::string>& actions, std::vector<int>& fenced);

}  // namespace pgstack::stack
