#include "pgstack/location/credentials.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "pgstack/core/files.h"

namespace pgstack::location {

Result<std::optional<std::string>> ReadCredentials(const StatePaths& paths) {
  PGSTACK_ASSIGN_OR_RETURN(auto text, core::ReadFileIfExists(paths.credentials));
  if (!text) return std::optional<std::string>();
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.contains("password") || !j["password"].is_string())
    return Status::Failure(paths.credentials + ": damaged (delete it and run pgstack up)");
  return std::optional<std::string>(j["password"].get<std::string>());
}

Status WriteCredentials(const StatePaths& paths, const std::string& password) {
  nlohmann::json j = {{"password", password}};
  return core::WriteFileAtomic(paths.credentials, j.dump() + "\n", 0600);
}

Result<std::string> LocalPassword(const core::Environment& env, const StatePaths& paths) {
  if (!env.postgres.password.empty()) return env.postgres.password;
  PGSTACK_ASSIGN_OR_RETURN(auto kept, ReadCredentials(paths));
  if (kept) return *kept;
  return Status::InvalidInput(
      fmt::format("no password for role {}: set {} or run `pgstack up`, which generates one",
                  env.postgres.user, env.postgres.password_env));
}

}  // namespace pgstack::location
