#include "preflight.h"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>

#include "pgstack/core/postgres_major.h"
#include "pgstack/core/settings.h"

namespace pgstack::stack {
namespace {

namespace fs = std::filesystem;

// Where the binaries' extension control files are: the npm package's share/ beside bin/, or
// Debian's /usr/share/postgresql/17. "" when neither is there (then nothing is checked).
std::string ExtensionDir(const std::string& bin_dir) {
  std::error_code ec;
  fs::path bin(bin_dir);
  for (const fs::path& p :
       {bin.parent_path() / "share/postgresql/extension", bin.parent_path() / "share/extension",
        fs::path(fmt::format("/usr/share/postgresql/{}/extension", core::kPostgresMajor))}) {
    if (fs::is_directory(p, ec)) return p.string();
  }
  return "";
}

}  // namespace

Status CheckConfigInput(const core::Environment& env) {
  auto shared = env.setting("shared_buffers");
  long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  if (!shared || pages <= 0 || page <= 0) return Status::Ok();
  long long kb = core::SizeInKb(*shared);
  long long ram_kb = static_cast<long long>(pages) * (page / 1024);
  if (kb <= ram_kb) return Status::Ok();
  return Status::InvalidInput(fmt::format(
      "{}: environment {}: shared_buffers {} is more than this machine's memory ({} MB)", env.file,
      env.name, *shared, ram_kb / 1024));
}

Status CheckServerInput(const core::Environment& env, const std::string& bin_dir) {
  std::string dir = ExtensionDir(bin_dir);
  if (dir.empty()) return Status::Ok();
  std::error_code ec;
  for (const auto& ext : env.postgres.extensions) {
    if (fs::exists(dir + "/" + ext + ".control", ec)) continue;
    return Status::InvalidInput(
        fmt::format("{}: environment {}: extension \"{}\" is not available to PostgreSQL in {} "
                    "(no {}.control in {})",
                    env.file, env.name, ext, bin_dir, ext, dir));
  }
  return Status::Ok();
}

}  // namespace pgstack::stack
