#include "pgstack/migrate/adopt.h"

#include <fmt/format.h>

#include <algorithm>

#include "format_table.h"
#include "pgstack/migrate/history_name.h"
#include "pgstack/migrate/source.h"

namespace pgstack::migrate {
namespace {

Result<std::vector<std::string>> Column(pg::Connection& conn, std::string_view sql) {
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

// "dbmate's schema_migrations, golang-migrate's schema_migrations, ...".
std::string HistoryTablesLookedFor() {
  std::string out;
  for (const internal::FormatSpec& spec : internal::FormatTable()) {
    if (spec.history.table.empty()) continue;
    out += fmt::format("{}{}'s {}", out.empty() ? "" : ", ", spec.name, spec.history.table);
  }
  return out;
}

}  // namespace

std::vector<std::string> AdoptableFormatNames() {
  std::vector<std::string> out;
  for (const internal::FormatSpec& spec : internal::FormatTable()) {
    if (!spec.history.table.empty()) out.emplace_back(spec.name);
  }
  return out;
}

Result<std::vector<ForeignHistory>> ReadForeignHistories(pg::Connection& conn,
                                                         std::optional<Format> only) {
  std::vector<ForeignHistory> found;
  for (const internal::FormatSpec& spec : internal::FormatTable()) {
    const internal::HistoryTable& r = spec.history;
    if (r.table.empty() || (only && *only != spec.format)) continue;
    PGSTACK_ASSIGN_OR_RETURN(
        pg::QueryResult exists,
        conn.Exec(fmt::format("SELECT to_regclass('{}') IS NOT NULL", r.table)));
    if (exists.scalar() != "t") continue;  // the shape query below needs the table
    PGSTACK_ASSIGN_OR_RETURN(pg::QueryResult shaped, conn.Exec(fmt::format("SELECT {}", r.shape)));
    if (shaped.scalar() != "t") continue;
    ForeignHistory h{spec.format, std::string(r.table), {}, std::nullopt};
    if (!r.dirty.empty()) {
      PGSTACK_ASSIGN_OR_RETURN(auto dirty, Column(conn, r.dirty));
      if (!dirty.empty()) {
        return Status::CheckFailed(fmt::format(
            "{}'s {} is dirty at version {}: a migration failed half way; fix the schema and "
            "force the version with {} first",
            spec.name, r.table, dirty.front(), spec.name));
      }
    }
    if (!r.applied.empty()) {
      PGSTACK_ASSIGN_OR_RETURN(h.versions, Column(conn, r.applied));
    }
    if (!r.through.empty()) {
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
             : fmt::format("no other tool's history table in this database (looked for {})",
                           HistoryTablesLookedFor()));
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
