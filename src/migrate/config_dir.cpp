#include "config_dir.h"

#include <filesystem>

namespace pgstack::migrate::internal {
namespace {

std::filesystem::path Resolved(const std::string& d) {
  std::error_code ec;
  auto p = std::filesystem::weakly_canonical(std::filesystem::absolute(d, ec), ec);
  return ec ? std::filesystem::path(d).lexically_normal() : p;
}

}  // namespace

bool ConfigKeyNamesDir(const std::string& key, const std::string& dir) {
  return Resolved(key) == Resolved(dir);
}

}  // namespace pgstack::migrate::internal
