// Flyway: "V<version>__<description>.sql" (versions like 1, 1.2, 1_2), "U<version>__..." undo
// files (pgstack's down), and "R__<description>.sql" repeatables, reapplied whenever their
// checksum changes. A "<file>.conf" beside a script with executeInTransaction=false runs it
// outside a transaction. ${...} placeholders are substituted (flyway_placeholders.h).
#include <fmt/format.h>

#include <map>

#include "format_table.h"
#include "pgstack/core/files.h"
#include "pgstack/migrate/checksum.h"

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

// A script's SQL with its placeholders substituted, unless its .conf turns that off. A
// placeholder that cannot be substituted makes the migration unreadable (Migration::unreadable)
// and the script's SQL empty: the read goes on, so that every such file is named.
Result<SqlText> Substituted(const std::string& path, const std::string& raw,
                            const FlywayPlaceholders& placeholders, Migration& m) {
  PGSTACK_ASSIGN_OR_RETURN(bool off, SettingSaysFalse(path + ".conf", "placeholderReplacement"));
  if (off) return MakeSqlText(path, raw, 1);
  auto sql = SubstituteFlywayPlaceholders(path, raw, placeholders);
  if (sql.ok()) return MakeSqlText(path, std::move(sql).value(), 1);
  if (sql.status().code() != Code::kInvalidInput) return sql.status();
  m.unreadable.push_back(sql.status().message());
  return MakeSqlText(path, "", 1);
}

}  // namespace

bool FlywayEntryName(const DirEntry& e) { return !e.is_dir && ParseFlywayName(e.name); }

Result<std::vector<Migration>> ReadFlyway(const ReadInput& in) {
  const std::string& dir = in.dir;
  const std::vector<DirEntry>& entries = in.entries;
  const FlywayPlaceholders& placeholders = in.flyway;
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
    // Flyway runs a script without a statement (versioned, repeatable or undo) as a no-op and
    // records it: so does pgstack.
    PGSTACK_ASSIGN_OR_RETURN(m.up, Substituted(path, raw, placeholders, m));
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
    PGSTACK_ASSIGN_OR_RETURN(target->down, Substituted(path, raw, placeholders, *target));
  }
  return out;
}

std::vector<DraftFile> WriteFlyway(const Draft& d, const MigrationSet&) {
  std::vector<DraftFile> out;
  auto script = [&](char prefix, const std::optional<DraftSection>& s) {
    std::string path = fmt::format("{}/{}{}__{}.sql", d.dir, prefix, d.version, d.name);
    out.push_back({path, s ? s->sql : ""});
    // Flyway would substitute a "${...}" in the SQL as one of its placeholders.
    std::string conf =
        std::string(s && s->no_transaction ? "executeInTransaction=false\n" : "") +
        (s && s->sql.find("${") != std::string::npos ? "placeholderReplacement=false\n" : "");
    if (!conf.empty()) out.push_back({path + ".conf", conf});
  };
  script('V', d.up);
  if (d.down) script('U', d.down);
  return out;
}

}  // namespace pgstack::migrate::internal
