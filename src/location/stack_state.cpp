#include "pgstack/location/stack_state.h"

#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "pgstack/core/files.h"
#include "pgstack/location/state_paths.h"

namespace pgstack::location {

std::string StackId(const core::Environment& env) {
  return env.name + "/" + env.postgres.database + "/" + env.postgres.user;
}

std::string ReplicaSlotName(int node) { return fmt::format("pgstack_replica_{}", node); }

bool IsStateDirEntry(const std::string& name) {
  // Each of these, and what pgstack writes beside it: "<name>.tmp.<pid>" while writing,
  // "<name>.<time>.bak" backups, data.copy and data.init while a cluster is made.
  static const char* const kEntries[] = {".lock", "state.json", "credentials.json", "data",
                                         "run",   "logs",       "pgbouncer",        "replicas"};
  for (const char* e : kEntries) {
    std::string_view n(name), k(e);
    if (n == k || (n.size() > k.size() && n.substr(0, k.size()) == k && n[k.size()] == '.'))
      return true;
  }
  return false;
}

Result<StateDirInfo> InspectStateDir(const std::string& state_dir) {
  namespace fs = std::filesystem;
  if (state_dir.empty())
    return Status::InvalidInput("the state dir is \"\" (--state-dir): name a directory");
  StateDirInfo info;
  std::error_code ec;
  auto st = fs::status(state_dir, ec);
  if (!fs::exists(st)) return info;
  if (!fs::is_directory(st)) {
    return Status::InvalidInput(
        fmt::format("{}: not a directory (--state-dir names the folder of a stack)", state_dir));
  }
  bool any = false;
  for (const auto& e : fs::directory_iterator(state_dir, ec)) {
    std::string name = e.path().filename().string();
    any = true;
    if (name == "state.json") info.kind = StateDirKind::kStack;
    if (!IsStateDirEntry(name) && info.foreign_entry.empty()) info.foreign_entry = name;
  }
  if (ec) return Status::Failure(fmt::format("{}: cannot list: {}", state_dir, ec.message()));
  if (info.kind == StateDirKind::kStack) return info;
  if (!info.foreign_entry.empty())
    info.kind = StateDirKind::kForeign;
  else if (any)
    info.kind = StateDirKind::kPartial;
  return info;
}

Status NoStack(const std::string& state_dir) {
  return Status::Failure(
             fmt::format("no stack in {} (`pgstack up` makes one; --state-dir names another)",
                         state_dir))
      .Because(kNoStack);
}

Result<StackState> LoadState(const std::string& state_dir) {
  if (state_dir.empty()) return InspectStateDir(state_dir).status();
  StatePaths paths(state_dir);
  PGSTACK_ASSIGN_OR_RETURN(auto text, core::ReadFileIfExists(paths.state_file));
  if (!text) return NoStack(state_dir);
  try {
    auto j = nlohmann::json::parse(*text);
    std::vector<ReplicaState> replicas;
    for (const auto& r : j.value("replicas", nlohmann::json::array()))
      replicas.push_back({.node = r.at("node").get<int>(), .port = r.at("port").get<int>()});
    return StackState{.stack_id = j.at("stack").get<std::string>(),
                      .environment = j.at("environment").get<std::string>(),
                      .pg_port = j.at("pg_port").get<int>(),
                      .pool_port = j.at("pool_port").get<int>(),
                      .pg_bin = j.at("pg_bin").get<std::string>(),
                      .os_user = j.at("os_user").get<std::string>(),
                      .provisional = j.value("provisional", false),
                      .primary_node = j.value("primary_node", 0),
                      .replicas = std::move(replicas)};
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidInput(fmt::format("{}: damaged ({})", paths.state_file, e.what()));
  }
}

Status SaveState(const std::string& state_dir, const StackState& s) {
  nlohmann::json j = {{"stack", s.stack_id},  {"environment", s.environment},
                      {"pg_port", s.pg_port}, {"pool_port", s.pool_port},
                      {"pg_bin", s.pg_bin},   {"os_user", s.os_user}};
  if (s.provisional) j["provisional"] = true;
  if (s.primary_node != 0) j["primary_node"] = s.primary_node;
  if (!s.replicas.empty()) {
    j["replicas"] = nlohmann::json::array();
    for (const auto& r : s.replicas) j["replicas"].push_back({{"node", r.node}, {"port", r.port}});
  }
  return core::WriteFileAtomic(StatePaths(state_dir).state_file, j.dump(2) + "\n", 0600);
}

}  // namespace pgstack::location
