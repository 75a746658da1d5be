#include "pgstack/migrate/source.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "format_table.h"
#include "pgstack/core/nearest.h"
#include "pgstack/migrate/checksum.h"

namespace pgstack::migrate {
namespace internal {

Result<std::optional<Format>> EntryFormat(const std::string& dir, const DirEntry& e) {
  std::optional<std::string> content;  // read once, for the first row with markers
  for (const FormatSpec& spec : FormatTable()) {
    if (!spec.names(e)) continue;
    if (spec.markers.up.empty()) return std::optional<Format>(spec.format);
    if (!content) {
      PGSTACK_ASSIGN_OR_RETURN(content, EntryContent(dir, e));
    }
    if (HasMarker(*content, spec.markers)) return std::optional<Format>(spec.format);
  }
  return std::optional<Format>();
}

}  // namespace internal

namespace {

using internal::DirEntry;

// The entries that can be migrations: SQL files and directories, hidden ones skipped, sorted.
Result<std::vector<DirEntry>> ListEntries(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return Status::InvalidInput("--dir " + dir + ": no such directory");
  }
  std::vector<DirEntry> out;
  for (const auto& de : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = de.path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    std::error_code type_ec;  // a loop or a dangling link is no directory; CheckLinkInside names it
    bool is_dir = de.is_directory(type_ec);
    if (!is_dir && !internal::EndsWith(name, ".sql")) continue;
    // The entry's own type comes with the listing (readdir's d_type; an lstat only where the
    // file system gives none), so only links pay for CheckLinkInside's lstat and realpath: one
    // syscall per file was a tenth of `migrate status` over 5,000 files.
    std::error_code link_ec;  // an entry gone meanwhile is no link; its read reports it
    if (de.is_symlink(link_ec)) {
      PGSTACK_RETURN_IF_ERROR(internal::CheckLinkInside(dir, dir + "/" + name));
    }
    out.push_back({name, is_dir});
  }
  if (ec) return Status::InvalidInput("--dir " + dir + ": " + ec.message());
  std::sort(out.begin(), out.end(),
            [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return out;
}

Result<Format> Detect(const std::string& dir, const std::vector<DirEntry>& entries) {
  std::optional<Format> seen;
  std::string seen_path;
  for (const auto& e : entries) {
    std::string path = dir + "/" + e.name;
    PGSTACK_ASSIGN_OR_RETURN(auto f, internal::EntryFormat(dir, e));
    if (!f) {
      if (e.is_dir) continue;  // a folder that is no diesel migration is not ours to judge
      return Status::InvalidInput(
          fmt::format("{}: not a migration name in any format ({}); see docs/migrations.md", path,
                      core::JoinNames(FormatNames())));
    }
    if (seen && *seen != *f) {
      return Status::InvalidInput(fmt::format(
          "two formats mixed in {}: {} is {} but {} is {} (use one format, or --format)", dir,
          seen_path, FormatName(*seen), path, FormatName(*f)));
    }
    seen = f;
    seen_path = path;
  }
  return seen.value_or(Format::kPgstack);
}

}  // namespace

Result<MigrationSet> ReadMigrations(const std::string& dir, std::optional<Format> forced,
                                    const FlywayPlaceholders* flyway, Unreadable unreadable) {
  PGSTACK_ASSIGN_OR_RETURN(std::vector<DirEntry> entries, ListEntries(dir));
  internal::ReadAhead(dir, entries);
  MigrationSet set;
  set.dir = dir;
  if (forced) {
    set.format = *forced;
  } else {
    PGSTACK_ASSIGN_OR_RETURN(set.format, Detect(dir, entries));
    // Detection skips folders that are no diesel migration; only diesel reads folders.
    if (set.format != Format::kDiesel) {
      std::erase_if(entries, [](const DirEntry& e) { return e.is_dir; });
    }
  }
  FlywayPlaceholders no_placeholders = MakeFlywayPlaceholders({}, {});
  auto read = internal::SpecOf(set.format).read({dir, entries, flyway ? *flyway : no_placeholders});
  if (!read.ok()) return read.status();
  set.migrations = std::move(read).value();
  PGSTACK_RETURN_IF_ERROR(internal::SortAndCheck(set.migrations));
  if (unreadable == Unreadable::kFail) {
    std::vector<const Migration*> all;
    for (const auto& m : set.migrations) all.push_back(&m);
    PGSTACK_RETURN_IF_ERROR(Unreadables(all));
  }
  // A reader may have set it from the text before substitution (Flyway's placeholders).
  for (auto& m : set.migrations) {
    if (m.checksum.empty()) m.checksum = Checksum(m.up.sql);
  }
  return set;
}

}  // namespace pgstack::migrate
