// sqlx: "<version>_<description>.sql", the whole file up, "-- no-transaction" as its first line
// to run outside a transaction; reversible ones are "<version>_<description>.up.sql" and
// ".down.sql", read as golang-migrate's with sqlx's directive.
#include <fmt/format.h>

#include <algorithm>

#include "format_table.h"

namespace pgstack::migrate::internal {

Result<std::vector<Migration>> ReadSqlx(const ReadInput& in) {
  const std::string& dir = in.dir;
  std::vector<DirEntry> reversible;
  std::vector<Migration> out;
  for (const auto& e : in.entries) {
    if (EndsWith(e.name, ".up.sql") || EndsWith(e.name, ".down.sql")) {
      reversible.push_back(e);
      continue;
    }
    std::string path = dir + "/" + e.name;
    auto numbered = e.is_dir || !EndsWith(e.name, ".sql")
                        ? std::nullopt
                        : SplitNumbered(std::string_view(e.name).substr(0, e.name.size() - 4));
    if (!numbered) {
      return Status::InvalidInput(path + ": not a sqlx name (<version>_<description>.sql)");
    }
    Migration m;
    m.version = numbered->first;
    m.name = numbered->second;
    PGSTACK_ASSIGN_OR_RETURN(std::string sql, EntryContent(dir, e));
    m.up_options.no_transaction = StartsWith(sql, "-- no-transaction");
    // sqlx executes an empty (or comment-only) file as it is: a no-op migration.
    PGSTACK_ASSIGN_OR_RETURN(m.up, MakeSqlText(path, std::move(sql), 1));
    out.push_back(std::move(m));
  }
  if (!reversible.empty()) {
    PGSTACK_ASSIGN_OR_RETURN(auto more, ReadUpDownPairs(dir, reversible, true));
    for (auto& m : more) out.push_back(std::move(m));
  }
  return out;
}

// Reversible (an .up.sql and a .down.sql) where the directory's migrations are, or where there is
// a down to write; one .sql otherwise, as `sqlx migrate add` decides.
std::vector<DraftFile> WriteSqlx(const Draft& d, const MigrationSet& set) {
  auto text = [](const std::optional<DraftSection>& s) {
    return s ? (s->no_transaction ? "-- no-transaction\n" : "") + s->sql : std::string();
  };
  bool reversible = (d.down && !d.down->sql.empty()) ||
                    std::any_of(set.migrations.begin(), set.migrations.end(),
                                [](const Migration& m) { return m.up.path.ends_with(".up.sql"); });
  std::string stem = fmt::format("{}/{}_{}", d.dir, d.version, d.name);
  bool placeholder = !d.up && !d.down;
  if (!reversible) {
    return {{stem + ".sql", placeholder ? "-- Add migration script here\n" : text(d.up)}};
  }
  return {{stem + ".up.sql", placeholder ? "-- Add up migration script here\n" : text(d.up)},
          {stem + ".down.sql", placeholder ? "-- Add down migration script here\n" : text(d.down)}};
}

}  // namespace pgstack::migrate::internal
