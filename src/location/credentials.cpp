#include "pgstack/location/credentials.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
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

Result<std::optional<unsigned>> SecureCredentials(const StatePaths& paths) {
  struct stat st {};
  if (::stat(paths.credentials.c_str(), &st) != 0) return std::optional<unsigned>();
  unsigned mode = st.st_mode & 07777;
  if (mode == 0600) return std::optional<unsigned>();
  if (::chmod(paths.credentials.c_str(), 0600) != 0) {
    return Status::Failure(fmt::format("{}: cannot make it private (chmod 0600): {}",
                                       paths.credentials, std::strerror(errno)));
  }
  return std::optional<unsigned>(mode);
}

std::string PasswordSource(const core::Environment& env, const StatePaths& paths) {
  return env.postgres.password.empty() ? paths.credentials : "$" + env.postgres.password_env;
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
