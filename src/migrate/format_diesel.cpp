// diesel: one directory per migration, "<version>_<name>/up.sql" and "down.sql", the version
// being digits and dashes ("2024-01-01-120000", or "00000000000000" for diesel's own setup:
// version 0). metadata.toml with run_in_transaction = false runs it outside a transaction.
#include <fmt/format.h>

#include <filesystem>

#include "format_table.h"
#include "pgstack/core/files.h"

namespace pgstack::migrate::internal {
namespace {

std::optional<std::pair<Version, std::string>> ParseDieselDir(std::string_view name) {
  size_t sep = name.find('_');
  if (sep == std::string_view::npos || sep == 0) return std::nullopt;
  std::string digits;
  for (char c : name.substr(0, sep)) {
    if (c == '-') continue;
    if (c < '0' || c > '9') return std::nullopt;
    digits += c;
  }
  auto v = Version::Parse(digits);
  if (!v) return std::nullopt;
  return std::make_pair(*v, std::string(name.substr(sep + 1)));
}

// up.sql or down.sql of a migration directory, checked as every migration file is.
Result<std::optional<std::string>> ReadDieselFile(const std::string& root,
                                                  const std::string& path) {
  PGSTACK_RETURN_IF_ERROR(CheckLinkInside(root, path));
  PGSTACK_ASSIGN_OR_RETURN(auto text, core::ReadFileIfExists(path));
  if (!text) return std::optional<std::string>();
  PGSTACK_ASSIGN_OR_RETURN(std::string checked, CheckedFileText(path, std::move(*text)));
  return std::optional<std::string>(std::move(checked));
}

Result<bool> MetadataNoTransaction(const std::string& dir) {
  return SettingSaysFalse(dir + "/metadata.toml", "run_in_transaction");
}

}  // namespace

bool DieselEntryName(const DirEntry& e) { return e.is_dir && ParseDieselDir(e.name); }

Result<std::vector<Migration>> ReadDiesel(const ReadInput& in) {
  const std::string& dir = in.dir;
  std::vector<Migration> out;
  for (const auto& e : in.entries) {
    std::string path = dir + "/" + e.name;
    auto parsed = e.is_dir ? ParseDieselDir(e.name) : std::nullopt;
    if (!parsed) {
      return Status::InvalidInput(path +
                                  ": not a diesel migration (a directory "
                                  "<version>_<name>/ holding up.sql and down.sql)");
    }
    Migration m;
    m.version = parsed->first;
    m.name = parsed->second;
    PGSTACK_ASSIGN_OR_RETURN(auto up, ReadDieselFile(dir, path + "/up.sql"));
    PGSTACK_ASSIGN_OR_RETURN(auto down, ReadDieselFile(dir, path + "/down.sql"));
    if (!up) {
      if (down) return Status::InvalidInput(path + "/down.sql: a down file without its up file");
      return Status::InvalidInput(path + ": no up.sql in a diesel migration directory");
    }
    PGSTACK_ASSIGN_OR_RETURN(bool no_tx, MetadataNoTransaction(path));
    m.up_options.no_transaction = m.down_options.no_transaction = no_tx;
    // diesel refuses a zero-byte up.sql or down.sql ("Attempted to run an empty migration") but
    // runs one holding only comments or blanks, a no-op: so does pgstack (a zero-byte down.sql
    // is no down, which `down` refuses).
    if (up->empty()) {
      return Status::InvalidInput(path +
                                  "/up.sql: empty migration: the file is empty (diesel refuses "
                                  "to run an empty migration)");
    }
    PGSTACK_ASSIGN_OR_RETURN(m.up, MakeSqlText(path + "/up.sql", std::move(*up), 1));
    if (down && !down->empty()) {
      PGSTACK_ASSIGN_OR_RETURN(m.down, MakeSqlText(path + "/down.sql", std::move(*down), 1));
    }
    out.push_back(std::move(m));
  }
  return out;
}

// diesel's metadata.toml speaks for both files: either one outside a transaction puts both there.
std::vector<DraftFile> WriteDiesel(const Draft& d, const MigrationSet&) {
  // diesel refuses a zero-byte file; a comment is what its own `migration generate` writes.
  auto text = [](const std::optional<DraftSection>& s, std::string_view placeholder) {
    return s && !s->sql.empty() ? s->sql : std::string(placeholder);
  };
  std::string sub = fmt::format("{}/{}_{}", d.dir, d.version, d.name);
  std::vector<DraftFile> out = {
      {sub + "/up.sql", text(d.up, "-- Your SQL goes here\n")},
      {sub + "/down.sql", text(d.down, "-- This file should undo anything in `up.sql`\n")}};
  if ((d.up && d.up->no_transaction) || (d.down && d.down->no_transaction)) {
    out.push_back({sub + "/metadata.toml", "run_in_transaction = false\n"});
  }
  return out;
}

}  // namespace pgstack::migrate::internal
