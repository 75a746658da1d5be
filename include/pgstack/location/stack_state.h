// What a state directory remembers between commands: state.json (0600).
#pragma once

#include <string>

#include "pgstack/core/config.h"
#include "pgstack/core/status.h"

namespace pgstack::location {

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

// Reads state.json; kInvalidInput when the directory holds no stack or a damaged one.
Result<StackState> LoadState(const std::string& state_dir);
Status SaveState(const std::string& state_dir, const StackState& s);

}  // namespace pgstack::location
