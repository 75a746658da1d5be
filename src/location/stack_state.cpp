#include "pgstack/location/stack_state.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "pgstack/core/files.h"
#include "pgstack/location/state_paths.h"

namespace pgstack::location {

std::string StackId(const core::Environment& env) {
  return env.name + "/" + env.postgres.database + "/" + env.postgres.user;
}

Result<StackState> LoadState(const std::string& state_dir) {
  StatePaths paths(state_dir);
  PGSTACK_ASSIGN_OR_RETURN(auto text, core::ReadFileIfExists(paths.state_file));
  if (!text) {
    return Status::InvalidInput(
        fmt::format("{}: no stack here (run `pgstack up` first, or pass --state-dir)", state_dir));
  }
  try {
    auto j = nlohmann::json::parse(*text);
    return StackState{.stack_id = j.at("stack").get<std::string>(),
                      .environment = j.at("environment").get<std::string>(),
                      .pg_port = j.at("pg_port").get<int>(),
                      .pool_port = j.at("pool_port").get<int>(),
                      .pg_bin = j.at("pg_bin").get<std::string>(),
                      .os_user = j.at("os_user").get<std::string>()};
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidInput(fmt::format("{}: damaged ({})", paths.state_file, e.what()));
  }
}

Status SaveState(const std::string& state_dir, const StackState& s) {
  nlohmann::json j = {{"stack", s.stack_id},  {"environment", s.environment},
                      {"pg_port", s.pg_port}, {"pool_port", s.pool_port},
                      {"pg_bin", s.pg_bin},   {"os_user", s.os_user}};
  return core::WriteFileAtomic(StatePaths(state_dir).state_file, j.dump(2) + "\n", 0600);
}

}  // namespace pgstack::location
