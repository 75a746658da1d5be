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
};

// "<environment>/<database>/<user>": what a state directory serves.
std::string StackId(const core::Environment& env);

// Reads state.json; kInvalidInput when the directory holds no stack or a damaged one.
Result<StackState> LoadState(const std::string& state_dir);
Status SaveState(const std::string& state_dir, const StackState& s);

}  // namespace pgstack::location
