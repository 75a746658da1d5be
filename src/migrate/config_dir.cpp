#include "config_dir.h"

#include <filesystem>

#include "pgstack/core/project_file.h"

namespace pgstack::migrate::internal {
namespace {

std::filesystem::path Resolved(const std::filesystem::path& d) {
  std::error_code ec;
  auto p = std::filesystem::weakly_canonical(std::filesystem::absolute(d, ec), ec);
  return ec ? d.lexically_normal() : p;
}

}  // namespace

bool ConfigKeyNamesDir(const std::string& key, const std::string& dir,
                       const std::string& config_file) {
  return Resolved(std::filesystem::path(core::ConfigRoot(config_file)) / key) == Resolved(dir);
}

}  // namespace pgstack::migrate::internal
