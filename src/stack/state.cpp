// The state directory's layout and its state.json.
#include <fmt/format.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "pgstack/files.h"
#include "pgstack/stack.h"

namespace pgstack::stack {

namespace {

// Servers are started from "/" (the service user may not reach the caller's folder), so every
// path handed to them must be absolute.
std::string Absolute(const std::string& dir) {
  std::string abs = std::filesystem::absolute(dir).lexically_normal().string();
  if (abs.size() > 1 && abs.back() == '/') abs.pop_back();
  return abs;
}

}  // namespace

StatePaths::StatePaths(const std::string& state_dir)
    : StatePaths(Absolute(state_dir), 0) {}

StatePaths::StatePaths(const std::string& dir, int)
    : root(dir),
      state_file(dir + "/state.json"),
      credentials(dir + "/credentials.json"),
      lock_file(dir + "/.lock"),
      data(dir + "/data"),
      conf_dir(dir + "/data/conf.d"),
      pg_conf(dir + "/data/conf.d/pgstack.conf"),
      hba(dir + "/data/pgstack_hba.conf"),
      ident(dir + "/data/pgstack_ident.conf"),
      run(dir + "/run"),
      logs(dir + "/logs"),
      pg_log(dir + "/logs/postgresql.log"),
      pgbouncer_dir(dir + "/pgbouncer"),
      pgbouncer_ini(dir + "/pgbouncer/pgbouncer.ini"),
      userlist(dir + "/pgbouncer/userlist.txt"),
      pgbouncer_log(dir + "/logs/pgbouncer.log"),
      pgbouncer_pid(dir + "/run/pgbouncer.pid") {}

Result<StackState> LoadState(const std::string& state_dir) {
  StatePaths paths(state_dir);
  PGSTACK_ASSIGN_OR_RETURN(auto text, ReadFileIfExists(paths.state_file));
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
  nlohmann::json j = {{"stack", s.stack_id}, {"environment", s.environment},
                      {"pg_port", s.pg_port}, {"pool_port", s.pool_port},
                      {"pg_bin", s.pg_bin},   {"os_user", s.os_user}};
  return WriteFileAtomic(StatePaths(state_dir).state_file, j.dump(2) + "\n", 0600);
}

}  // namespace pgstack::stack
