#include "pgstack/core/project_file.h"

#include <filesystem>
#include <vector>

namespace pgstack::core {

namespace fs = std::filesystem;

std::optional<std::string> FindProjectRoot(const std::string& start) {
  std::error_code ec;
  fs::path dir = fs::absolute(start.empty() ? fs::current_path(ec) : fs::path(start), ec);
  if (ec) return std::nullopt;
  for (dir = dir.lexically_normal(); !dir.empty(); dir = dir.parent_path()) {
    if (fs::is_regular_file(dir / "config" / "database.json", ec) ||
        fs::is_directory(dir / ".pgstack", ec)) {
      return dir.string();
    }
    if (dir == dir.root_path()) break;
  }
  return std::nullopt;
}

std::string InstallPath(const std::string& relative) {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);  // <prefix>/bin/pgstack
  if (ec) return "";
  return (exe.parent_path().parent_path() / "share" / "pgstack" / relative)
      .lexically_normal()
      .string();
}

std::optional<std::string> InstalledFile(const std::string& relative) {
  std::string file = InstallPath(relative);
  std::error_code ec;
  if (file.empty() || !fs::exists(file, ec)) return std::nullopt;
  return file;
}

std::string ConfigRoot(const std::string& config_file) {
  std::error_code ec;
  fs::path folder = fs::absolute(config_file, ec).lexically_normal().parent_path();
  return (folder.filename() == "config" ? folder.parent_path() : folder).string();
}

std::string ProjectFile(const std::string& relative, const std::string& config_file) {
  std::vector<fs::path> roots;
  if (!config_file.empty()) roots.push_back(ConfigRoot(config_file));
  if (auto root = FindProjectRoot()) roots.push_back(*root);
  roots.push_back(fs::current_path());
  for (const fs::path& root : roots) {
    std::error_code ec;
    if (fs::exists(root / relative, ec)) return (root / relative).lexically_normal().string();
  }
  if (auto installed = InstalledFile(relative)) return *installed;
  return (fs::path(PGSTACK_SOURCE_DIR) / relative).string();
}

}  // namespace pgstack::core
