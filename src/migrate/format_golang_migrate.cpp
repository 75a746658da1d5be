// golang-migrate: "<version>_<title>.up.sql" and "<version>_<title>.down.sql". sqlx's
// reversible migrations use the same names, with "-- no-transaction" on the first line.
#include <fmt/format.h>

#include <map>

#include "format_table.h"

namespace pgstack::migrate::internal {
namespace {

struct Pair {
  std::string name;
  std::string up_path;
  std::string down_path;
  const DirEntry* up = nullptr;
  const DirEntry* down = nullptr;
};

bool NoTransactionDirective(std::string_view sql) { return StartsWith(sql, "-- no-transaction"); }

}  // namespace

bool UpDownSqlName(const DirEntry& e) {
  std::string_view n = e.name;
  for (std::string_view suffix : {".up.sql", ".down.sql"}) {
    if (!e.is_dir && EndsWith(n, suffix) && SplitNumbered(n.substr(0, n.size() - suffix.size()))) {
      return true;
    }
  }
  return false;
}

Result<std::vector<Migration>> ReadGolangMigrate(const ReadInput& in) {
  return ReadUpDownPairs(in.dir, in.entries, false);
}

// golang-migrate sends each file as it is, in no transaction of its own: it has no marker, and a
// file outside a transaction holds one statement (FormatSpec::splits_without_transaction).
std::vector<DraftFile> WriteGolangMigrate(const Draft& d, const MigrationSet&) {
  std::string stem = fmt::format("{}/{}_{}", d.dir, d.version, d.name);
  return {{stem + ".up.sql", d.up ? d.up->sql : ""},
          {stem + ".down.sql", d.down ? d.down->sql : ""}};
}

Result<std::vector<Migration>> ReadUpDownPairs(const std::string& dir,
                                               const std::vector<DirEntry>& entries,
                                               bool sqlx_directives) {
  // By version, so the migrations come out in order (SortAndCheck then has nothing to move).
  std::map<Version, Pair> pairs;
  for (const auto& e : entries) {
    std::string path = dir + "/" + e.name;
    bool up = EndsWith(e.name, ".up.sql");
    bool down = EndsWith(e.name, ".down.sql");
    auto numbered =
        e.is_dir || !(up || down)
            ? std::nullopt
            : SplitNumbered(std::string_view(e.name).substr(0, e.name.size() - (up ? 7 : 9)));
    if (!numbered) {
      return Status::InvalidInput(
          path + ": not a golang-migrate name (<version>_<name>.up.sql or .down.sql)");
    }
    auto& [version, name] = *numbered;
    Pair& p = pairs[version];
    std::string& slot = up ? p.up_path : p.down_path;
    if (!slot.empty()) {
      return Status::InvalidInput(
          fmt::format("duplicate version {}: {} and {}", version.str(), slot, path));
    }
    slot = path;
    (up ? p.up : p.down) = &e;
    if (up || p.name.empty()) p.name = name;
  }
  std::vector<Migration> out;
  out.reserve(pairs.size());  // a Migration is large: growing by doubling moved each one again
  for (auto& [version, p] : pairs) {
    if (p.up_path.empty()) {
      return Status::InvalidInput(p.down_path + ": a down file without its up file");
    }
    Migration m;
    m.version = version;
    m.name = p.name;
    PGSTACK_ASSIGN_OR_RETURN(std::string up_sql, EntryContent(dir, *p.up));
    if (sqlx_directives) m.up_options.no_transaction = NoTransactionDirective(up_sql);
    // An up or down file that exists but holds no statement (empty, or only comments) is a
    // no-op migration step, as golang-migrate (and sqlx) run it: not an error, and a down file
    // like that reverts (the history row goes) instead of refusing "no down SQL".
    PGSTACK_ASSIGN_OR_RETURN(m.up, MakeSqlText(p.up_path, std::move(up_sql), 1));
    if (!p.down_path.empty()) {
      PGSTACK_ASSIGN_OR_RETURN(std::string down_sql, EntryContent(dir, *p.down));
      if (sqlx_directives) m.down_options.no_transaction = NoTransactionDirective(down_sql);
      PGSTACK_ASSIGN_OR_RETURN(m.down, MakeSqlText(p.down_path, std::move(down_sql), 1));
    }
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace pgstack::migrate::internal
