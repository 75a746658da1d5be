// sqlx: "<version>_<description>.sql", the whole file up, "-- no-transaction" as its first line
// to run outside a transaction; reversible ones are "<version>_<description>.up.sql" and
// ".down.sql", read as golang-migrate's with sqlx's directive.
#include "readers.h"

namespace pgstack::migrate::internal {

Result<std::vector<Migration>> ReadSqlx(const std::string& dir,
                                        const std::vector<DirEntry>& entries) {
  std::vector<DirEntry> reversible;
  std::vector<Migration> out;
  for (const auto& e : entries) {
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
    PGSTACK_ASSIGN_OR_RETURN(auto more, ReadGolangMigrate(dir, reversible, true));
    for (auto& m : more) out.push_back(std::move(m));
  }
  return out;
}

}  // namespace pgstack::migrate::internal
