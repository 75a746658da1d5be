#include "pgstack/core/project_file.h"

#include <filesystem>
#include <vector>

namespace pgstack::core {

std::string ProjectFile(const std::string& relative, const std::string& config_file) {
  namespace fs = std::filesystem;
  std::vector<fs::path> roots;
  // config/database.json sits one folder below the project's root.
  if (!config_file.empty()) roots.push_back(fs::absolute(config_file).parent_path().parent_path());
  roots.push_back(fs::current_path());
  for (const fs::path& root : roots) {
    std::error_code ec;
    if (fs::exists(root / relative, ec)) return (root / relative).lexically_normal().string();
  }
  return (fs::path(PGSTACK_SOURCE_DIR) / relative).string();
}

}  // namespace pgstack::core
