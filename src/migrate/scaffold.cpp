#include "pgstack/migrate/scaffold.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <filesystem>

#include "format_table.h"
#include "pgstack/core/files.h"
#include "pgstack/migrate/source.h"

namespace pgstack::migrate {
namespace {

// Sequences are small numbers; timestamps have 14 digits.
constexpr uint64_t kLargestSequence = 1000000000;

// The UTC time as a version: "%Y%m%d%H%M%S", or diesel's "%Y-%m-%d-%H%M%S".
std::string UtcStamp(const char* layout) {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, layout, &tm);
  return buf;
}

// The digits a migration's name starts with (after Flyway's "V"): the width a sequence keeps.
size_t VersionWidth(const Migration& m) {
  std::filesystem::path up(m.up.path);
  // diesel's version is its directory's name; the others' the file's.
  std::string name =
      (up.filename() == "up.sql" ? up.parent_path().filename() : up.filename()).string();
  size_t start = !name.empty() && name[0] == 'V' ? 1 : 0;
  size_t end = name.find_first_not_of("0123456789", start);
  return (end == std::string::npos ? name.size() : end) - start;
}

// What the directory's migrations say the next version is: the sequence continued, or the time.
struct NextVersion {
  bool sequence = false;
  uint64_t number = 0;  // the sequence's next number, or the newest version (timestamps)
  size_t width = 0;
};

NextVersion Next(const MigrationSet& set, internal::VersionScheme scheme) {
  NextVersion next;
  size_t width = 0;
  for (const auto& m : set.migrations) {
    if (!m.version) continue;
    std::string v = m.version->str();
    next.number = std::max<uint64_t>(next.number, std::stoull(v.substr(0, v.find('.'))));
    width = std::max(width, VersionWidth(m));
  }
  bool has_versions = next.number > 0 || width > 0;
  // Flyway counts from V1; a tool that names by time does so in an empty directory too.
  if (scheme == internal::VersionScheme::kSequenceFromOne && !has_versions) return {true, 1, 0};
  if (has_versions && next.number < kLargestSequence && scheme != internal::VersionScheme::kTime) {
    return {true, next.number + 1, width};
  }
  return next;
}

// A timestamp version later than every one the directory has.
std::string TimeVersion(const NextVersion& n, const char* layout) {
  std::string stamp = UtcStamp(layout);
  std::string digits = stamp;
  digits.erase(std::remove(digits.begin(), digits.end(), '-'), digits.end());
  if (std::stoull(digits) > n.number) return stamp;
  return std::to_string(n.number + 1);
}

std::string VersionText(const NextVersion& n, const char* layout) {
  return n.sequence ? fmt::format("{:0{}}", n.number, n.width) : TimeVersion(n, layout);
}

Status CheckName(const std::string& name) {
  if (name.empty() ||
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos) {
    return Status::InvalidInput(fmt::format(
        "migrate new: name '{}' must be lower-case letters, digits and _ (e.g. add_results)",
        name));
  }
  return Status::Ok();
}

// The version after `written` (a time version in `layout`): the same scheme, one later.
void Advance(NextVersion& n, const std::string& written) {
  if (n.sequence) {
    ++n.number;
    return;
  }
  std::string digits = written;
  digits.erase(std::remove(digits.begin(), digits.end(), '-'), digits.end());
  n.number = std::stoull(digits);
}

// A time version in the format's layout: diesel's has dashes (YYYY-MM-DD-HHMMSS).
std::string InLayout(std::string version, const char* layout) {
  if (std::string_view(layout).find('-') == std::string_view::npos || version.size() != 14 ||
      version.find('-') != std::string::npos) {
    return version;
  }
  return version.substr(0, 4) + "-" + version.substr(4, 2) + "-" + version.substr(6, 2) + "-" +
         version.substr(8);
}

Result<std::vector<std::string>> WriteDrafts(const std::vector<internal::Draft>& drafts,
                                             const internal::FormatSpec& spec,
                                             const MigrationSet& set) {
  std::vector<internal::DraftFile> files;
  for (const internal::Draft& d : drafts) {
    for (internal::DraftFile& file : spec.write(d, set)) files.push_back(std::move(file));
  }
  for (const internal::DraftFile& file : files) {
    if (std::filesystem::exists(file.path)) {
      return Status::InvalidInput(file.path + ": already exists");
    }
  }
  std::vector<std::string> written;
  for (const internal::DraftFile& file : files) {
    PGSTACK_RETURN_IF_ERROR(
        core::MakeDirs(std::filesystem::path(file.path).parent_path().string(), 0755));
    PGSTACK_RETURN_IF_ERROR(core::WriteFileAtomic(file.path, file.text, 0644));
    written.push_back(file.path);
  }
  return written;
}

}  // namespace

Result<NewMigrationTarget> PrepareNewMigration(const std::string& dir, const std::string& name,
                                               std::optional<Format> format) {
  PGSTACK_RETURN_IF_ERROR(CheckName(name));
  PGSTACK_RETURN_IF_ERROR(core::MakeDirs(dir, 0755));
  PGSTACK_ASSIGN_OR_RETURN(MigrationSet set, ReadMigrations(dir, format));
  Format f = format ? *format : set.migrations.empty() ? Format::kPgstack : set.format;
  return NewMigrationTarget{dir, name, std::move(set), f};
}

Result<std::vector<std::string>> NewMigration(const std::string& dir, const std::string& name,
                                              std::optional<Format> format) {
  PGSTACK_ASSIGN_OR_RETURN(NewMigrationTarget t, PrepareNewMigration(dir, name, format));
  const internal::FormatSpec& spec = internal::SpecOf(t.format);
  internal::Draft draft{
      dir, VersionText(Next(t.set, spec.scheme), spec.stamp_layout), name, {}, {}};
  return WriteDrafts({draft}, spec, t.set);
}

Result<std::vector<std::string>> WriteNewMigrations(const NewMigrationTarget& t,
                                                    const std::vector<MigrationDraft>& drafts) {
  const internal::FormatSpec& spec = internal::SpecOf(t.format);
  NextVersion next = Next(t.set, spec.scheme);
  std::vector<internal::Draft> out;
  for (size_t i = 0; i < drafts.size(); ++i) {
    std::string version = InLayout(VersionText(next, spec.stamp_layout), spec.stamp_layout);
    Advance(next, version);
    std::string part = drafts.size() == 1 ? t.name : fmt::format("{}_{:02}", t.name, i + 1);
    out.push_back({t.dir, version, part,
                   internal::DraftSection{drafts[i].up, drafts[i].up_no_transaction},
                   internal::DraftSection{drafts[i].down, drafts[i].down_no_transaction}});
  }
  return WriteDrafts(out, spec, t.set);
}

}  // namespace pgstack::migrate
