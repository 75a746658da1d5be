// Flyway: "V<version>__<description>.sql" (versions like 1, 1.2, 1_2), "U<version>__..." undo
// files (pgstack's down), and "R__<description>.sql" repeatables, reapplied whenever their
// checksum changes. A "<file>.conf" beside a script with executeInTransaction=false runs it
// outside a transaction. ${...} placeholders are substituted (flyway_placeholders.h).
#include <fmt/format.h>

#include <map>

#include "pgstack/core/files.h"
#include "pgstack/migrate/checksum.h"
#include "readers.h"

namespace pgstack::migrate::internal {
namespace {

struct FlywayName {
  char prefix;  // 'V', 'U' or 'R'
  std::optional<Version> version;
  std::string description;
};

std::optional<FlywayName> ParseFlywayName(std::string_view name) {
  if (name.size() < 5 || !EndsWith(name, ".sql")) return std::nullopt;
  char prefix = name[0];
  if (prefix != 'V' && prefix != 'U' && prefix != 'R') return std::nullopt;
  std::string_view stem = name.substr(1, name.size() - 5);
  size_t sep = stem.find("__");
  if (sep == std::string_view::npos) return std::nullopt;
  FlywayName out{prefix, std::nullopt, std::string(stem.substr(sep + 2))};
  std::string ver(stem.substr(0, sep));
  if (prefix == 'R') {
    if (!ver.empty()) return std::nullopt;
    return out;
  }
  for (char& c : ver) {
    if (c == '_') c = '.';
  }
  out.version = Version::Parse(ver);
  if (!out.version) return std::nullopt;
  return out;
}

Result<bool> ConfNoTransaction(const std::string& path) {
  return SettingSaysFalse(path + ".conf", "executeInTransaction");
}

// A script's text with its placeholders substituted, unless its .conf turns that off.
Result<std::string> Substituted(const std::string& path, const std::string& raw,
                                const FlywayPlaceholders& placeholders) {
  PGSTACK_ASSIGN_OR_RETURN(bool off, SettingSaysFalse(path + ".conf", "placeholderReplacement"));
  if (off) return raw;
  return SubstituteFlywayPlaceholders(path, raw, placeholders);
}

}  // namespace

bool IsFlywayName(std::string_view name) { return ParseFlywayName(name).has_value(); }

Result<std::vector<Migration>> ReadFlyway(const std::string& dir,
                                          const std::vector<DirEntry>& entries,
                                          const FlywayPlaceholders& placeholders) {
  std::vector<Migration> out;
  std::map<std::string, const DirEntry*> undo;  // version -> U file
  for (const auto& e : entries) {
    std::string path = dir + "/" + e.name;
    auto fn = e.is_dir ? std::nullopt : ParseFlywayName(e.name);
    if (!fn) {
      return Status::InvalidInput(path +
                                  ": not a Flyway name (V<version>__<description>.sql, "
                                  "U<version>__<description>.sql or R__<description>.sql)");
    }
    if (fn->prefix == 'U') {
      auto [it, fresh] = undo.emplace(fn->version->str(), &e);
      if (!fresh) {
        return Status::InvalidInput(fmt::format("duplicate version {}: {}/{} and {}",
                                                fn->version->str(), dir, it->second->name, path));
      }
      continue;
    }
    Migration m;
    m.version = fn->version;
    m.name = fn->description;
    PGSTACK_ASSIGN_OR_RETURN(m.up_options.no_transaction, ConfNoTransaction(path));
    PGSTACK_ASSIGN_OR_RETURN(std::string raw, EntryContent(dir, e));
    m.checksum = Checksum(raw);  // of the file as written, as Flyway's checksum is
    PGSTACK_ASSIGN_OR_RETURN(std::string sql, Substituted(path, raw, placeholders));
    // Flyway runs a script without a statement (versioned, repeatable or undo) as a no-op and
    // records it: so does pgstack.
    PGSTACK_ASSIGN_OR_RETURN(m.up, MakeSqlText(path, std::move(sql), 1));
    out.push_back(std::move(m));
  }
  for (auto& [version, entry] : undo) {
    std::string path = dir + "/" + entry->name;
    Migration* target = nullptr;
    for (auto& m : out) {
      if (m.version && m.version->str() == version) target = &m;
    }
    if (!target) return Status::InvalidInput(path + ": a down (undo) file without its up file");
    PGSTACK_ASSIGN_OR_RETURN(target->down_options.no_transaction, ConfNoTransaction(path));
    PGSTACK_ASSIGN_OR_RETURN(std::string raw, EntryContent(dir, *entry));
    PGSTACK_ASSIGN_OR_RETURN(std::string sql, Substituted(path, raw, placeholders));
    PGSTACK_ASSIGN_OR_RETURN(target->down, MakeSqlText(path, std::move(sql), 1));
  }
  return out;
}

}  // namespace pgstack::migrate::internal
