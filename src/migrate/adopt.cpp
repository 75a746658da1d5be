#include "pgstack/migrate/adopt.h"

#include <fmt/format.h>

#include <algorithm>

#include "pgstack/migrate/history_name.h"
#include "pgstack/migrate/source.h"

namespace pgstack::migrate {
namespace {

struct Reader {
  Format tool;
  const char* table;
  // Whether the table is this tool's: dbmate's and golang-migrate's share a name.
  const char* shape;
  // The applied versions one by one, the version everything up to which counts as applied,
  // and the version a failed run left dirty ("": the tool has no such notion).
  const char* applied;
  const char* through;
  const char* dirty;
};

constexpr Reader kReaders[] = {
    {Format::kDbmate, "schema_migrations",
     "NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'schema_migrations'::regclass "
     "AND attname = 'dirty')",
     "SELECT version::text FROM schema_migrations ORDER BY version", "", ""},
    {Format::kGolangMigrate, "schema_migrations",
     "EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'schema_migrations'::regclass "
     "AND attname = 'dirty')",
     "", "SELECT version::text FROM schema_migrations WHERE NOT dirty",
     "SELECT version::text FROM schema_migrations WHERE dirty"},
    {Format::kFlyway, "flyway_schema_history", "true",
     "SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL "
     "AND type NOT IN ('BASELINE', 'SCHEMA', 'DELETE') AND type NOT LIKE 'UNDO%' "
     "ORDER BY installed_rank",
     "SELECT version FROM flyway_schema_history WHERE success AND type = 'BASELINE' "
     "ORDER BY installed_rank DESC LIMIT 1",
     ""},
    {Format::kSqlx, "_sqlx_migrations", "true",
     "SELECT version::text FROM _sqlx_migrations WHERE success ORDER BY version", "", ""},
    {Format::kDiesel, "__diesel_schema_migrations", "true",
     "SELECT version FROM __diesel_schema_migrations ORDER BY version", "", ""},
};

Result<std::vector<std::string>> Column(pg::Connection& conn, const char* sql) {
  PGSTACK_ASSIGN_OR_RETURN(pg::QueryResult r, conn.Exec(sql));
  std::vector<std::string> out;
  for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.get(i, 0));
  return out;
}

// Diesel writes "2024-01-01-000000" as 20240101000000; Flyway may write "1_2" for 1.2.
std::optional<Version> ParseForeign(std::string text) {
  text.erase(std::remove(text.begin(), text.end(), '-'), text.end());
  std::replace(text.begin(), text.end(), '_', '.');
  return Version::Parse(text);
}

}  // namespace

Result<std::vector<ForeignHistory>> ReadForeignHistories(pg::Connection& conn,
                                                         std::optional<Format> only) {
  std::vector<ForeignHistory> found;
  for (const Reader& r : kReaders) {
    if (only && *only != r.tool) continue;
    PGSTACK_ASSIGN_OR_RETURN(
        pg::QueryResult exists,
        conn.Exec(fmt::format("SELECT to_regclass('{}') IS NOT NULL", r.table)));
    if (exists.scalar() != "t") continue;  // the shape query below needs the table
    PGSTACK_ASSIGN_OR_RETURN(pg::QueryResult shaped, conn.Exec(fmt::format("SELECT {}", r.shape)));
    if (shaped.scalar() != "t") continue;
    ForeignHistory h{r.tool, r.table, {}, std::nullopt};
    if (*r.dirty) {
      PGSTACK_ASSIGN_OR_RETURN(auto dirty, Column(conn, r.dirty));
      if (!dirty.empty()) {
        return Status::CheckFailed(fmt::format(
            "{}'s {} is dirty at version {}: a migration failed half way; fix the schema and "
            "force the version with {} first",
            FormatName(r.tool), r.table, dirty.front(), FormatName(r.tool)));
      }
    }
    if (*r.applied) {
      PGSTACK_ASSIGN_OR_RETURN(h.versions, Column(conn, r.applied));
    }
    if (*r.through) {
      PGSTACK_ASSIGN_OR_RETURN(auto through, Column(conn, r.through));
      if (!through.empty()) h.through = through.front();
    }
    found.push_back(std::move(h));
  }
  return found;
}

Result<AdoptReport> Adopt(const Options& o, std::optional<Format> from) {
  PGSTACK_RETURN_IF_ERROR(HistoryNamed(o.history).status());  // before anything is read
  PGSTACK_ASSIGN_OR_RETURN(MigrationSet set, ReadMigrations(o.dir, o.format));
  auto conn = pg::Connection::Open(o.conn);
  if (!conn.ok()) return conn.status().WithContext("migrate adopt");
  PGSTACK_ASSIGN_OR_RETURN(auto histories, ReadForeignHistories(*conn, from));
  if (histories.empty()) {
    return Status::InvalidInput(
        from ? fmt::format("no {} history table in this database", FormatName(*from))
             : "no other tool's history table in this database (looked for dbmate's and "
               "golang-migrate's schema_migrations, flyway_schema_history, _sqlx_migrations, "
               "__diesel_schema_migrations)");
  }
  if (histories.size() > 1) {
    std::string names;
    for (const auto& h : histories) names += fmt::format(" {}", FormatName(h.tool));
    return Status::InvalidInput(
        fmt::format("several tools' history tables here:{}; pick one with --from", names));
  }
  AdoptReport report{std::move(histories.front()), {}};
  const ForeignHistory& h = report.from;
  auto file_of = [&set](const Version& v) -> const Migration* {
    for (const Migration& m : set.migrations)
      if (m.version && *m.version == v) return &m;
    return nullptr;
  };
  // Every version the tool applied has its file here; `newest` bounds what is recorded.
  std::vector<Version> applied;
  std::optional<Version> newest;
  for (const std::string& text : h.versions) {
    auto v = ParseForeign(text);
    if (!v) {
      return Status::CheckFailed(
          fmt::format("{}: version {} is not one pgstack can read", h.table, text));
    }
    if (!file_of(*v)) {
      return Status::CheckFailed(
          fmt::format("{} says version {} was applied, but {} has no migration with that version",
                      h.table, text, o.dir));
    }
    applied.push_back(*v);
    if (!newest || *newest < *v) newest = *v;
  }
  std::optional<Version> through = h.through ? ParseForeign(*h.through) : std::nullopt;
  if (through && (!newest || *newest < *through)) newest = through;
  if (!newest) {
    return Status::CheckFailed(
        fmt::format("{} records no applied migration: nothing to adopt "
                    "(`pgstack migrate up` applies them all)",
                    h.table));
  }
  // Baseline records every file up to `newest`: a file in between that the tool never ran
  // would be recorded without having run. Refuse that, naming it.
  for (const Migration& m : set.migrations) {
    if (!m.version || *newest < *m.version) continue;
    bool ran = (through && !(*through < *m.version)) ||
               std::find(applied.begin(), applied.end(), *m.version) != applied.end();
    if (!ran) {
      return Status::CheckFailed(fmt::format(
          "{} ({}) is older than the newest applied version {} but {} does not record it: "
          "apply it with {} first, or record it by hand with `pgstack migrate baseline`",
          m.version->str(), m.up.path, newest->str(), h.table, FormatName(h.tool)));
    }
  }
  PGSTACK_ASSIGN_OR_RETURN(report.recorded, Baseline(o, *newest));
  return report;
}

}  // namespace pgstack::migrate
