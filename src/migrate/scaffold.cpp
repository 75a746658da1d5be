#include "pgstack/migrate/scaffold.h"

#include <fmt/format.h>

#include <ctime>
#include <filesystem>

#include "pgstack/core/files.h"
#include "pgstack/migrate/source.h"

namespace pgstack::migrate {
namespace {

constexpr std::string_view kTemplate =
    "-- pgstack:up\n"
    "-- Directives may follow \"up\" on the line above: no-transaction, lock-timeout=10s,\n"
    "-- statement-timeout=5min. See docs/migrations.md.\n"
    "\n"
    "-- pgstack:down\n"
    "\n";

// Sequences are small numbers; timestamps have 14 digits.
constexpr uint64_t kLargestSequence = 1000000000;

std::string UtcStamp() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
  return buf;
}

}  // namespace

Result<std::string> NewMigration(const std::string& dir, const std::string& name) {
  if (name.empty() ||
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos) {
    return Status::InvalidInput(fmt::format(
        "migrate new: name '{}' must be lower-case letters, digits and _ (e.g. add_results)",
        name));
  }
  PGSTACK_RETURN_IF_ERROR(core::MakeDirs(dir, 0755));
  PGSTACK_ASSIGN_OR_RETURN(MigrationSet set, ReadMigrations(dir));
  if (!set.migrations.empty() && set.format != Format::kPgstack) {
    return Status::InvalidInput(fmt::format(
        "migrate new: {} holds {} migrations; `new` writes pgstack's format, and one directory "
        "holds one format",
        dir, FormatName(set.format)));
  }
  uint64_t newest = 0;
  size_t width = 4;
  for (const auto& m : set.migrations) {
    if (!m.version) continue;
    uint64_t v = std::stoull(m.version->str().substr(0, m.version->str().find('.')));
    newest = std::max(newest, v);
    std::string file = std::filesystem::path(m.up.path).filename().string();
    width = std::max(width, file.find('_'));
  }
  std::string version;
  if (!set.migrations.empty() && newest < kLargestSequence) {
    version = fmt::format("{:0{}}", newest + 1, width);
  } else {
    version = UtcStamp();
    if (std::stoull(version) <= newest) version = std::to_string(newest + 1);
  }
  std::string path = fmt::format("{}/{}_{}.sql", dir, version, name);
  if (std::filesystem::exists(path)) return Status::InvalidInput(path + ": already exists");
  PGSTACK_RETURN_IF_ERROR(core::WriteFileAtomic(path, std::string(kTemplate), 0644));
  return path;
}

}  // namespace pgstack::migrate
