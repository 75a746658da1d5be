// What a state directory remembers between commands: state.json (0600).
#pragma once

#include <string>
#include <vector>

#include "pgstack/core/config.h"
#include "pgstack/core/status.h"

namespace pgstack::location {

// A hot standby of the local stack (`up --replicas N`): node N's data directory is
// replicas/N/data (StatePaths::Node); node 0 is data/, the first primary.
struct ReplicaState {
  int node = 0;
  int port = 0;
};

// The name of node n's physical replication slot on the primary, also the application_name it
// streams as (pg_stat_replication).
std::string ReplicaSlotName(int node);

struct StackState {
  std::string stack_id;  // "<environment>/<database>/<user>": a state dir serves one stack
  std::string environment;
  int pg_port = 0;
  int pool_port = 0;
  std::string pg_bin;
  std::string os_user;
  // Written by the first `up` before it starts anything, so that whatever it leaves (it failed,
  // it was killed) the next up, down, destroy and status find; false once an `up` finished.
  bool provisional = false;
  // The node that is the primary (0 until a `pgstack promote`); pg_port is always its port.
  int primary_node = 0;
  std::vector<ReplicaState> replicas;
};

// What a --state-dir names, looked at without changing it.
enum class StateDirKind {
  kMissing,  // nothing there, or an empty directory
  kStack,    // a state.json
  kPartial,  // no state.json, only what pgstack puts in a state dir (an up killed early)
  kForeign,  // other files: not pgstack's to use or delete
};
struct StateDirInfo {
  StateDirKind kind = StateDirKind::kMissing;
  std::string foreign_entry;  // kForeign: one name that is not pgstack's
};
// kInvalidInput naming the path when it is empty or not a directory.
Result<StateDirInfo> InspectStateDir(const std::string& state_dir);
// An entry pgstack puts in a state dir (state.json, data, a backup or temp file of them...).
bool IsStateDirEntry(const std::string& name);

// "<environment>/<database>/<user>": what a state directory serves.
std::string StackId(const core::Environment& env);

// What every command on a stack says when the state dir holds none: one wording everywhere,
// naming the directory, with cause kNoStack (the CLI exits 6 for it).
inline constexpr core::Cause kNoStack{"no stack"};
Status NoStack(const std::string& state_dir);

// Reads state.json; NoStack when the directory holds no stack, kInvalidInput when a damaged one.
Result<StackState> LoadState(const std::string& state_dir);
Status SaveState(const std::string& state_dir, const StackState& s);

}  // namespace pgstack::location
