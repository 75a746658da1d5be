#include "format_table.h"

namespace pgstack::migrate::internal {
namespace {

// Detection takes the first row that claims an entry: sqlx, which claims any numbered file,
// comes after pgstack and dbmate, which claim only the numbered files carrying their markers.
constexpr FormatSpec kFormats[] = {
    {Format::kPgstack,
     "pgstack",
     "<version>_<name>.sql with '-- pgstack:up [directives]' and '-- pgstack:down' sections",
     NumberedSqlName,
     {"-- pgstack:up", "-- pgstack:down", PgstackMarkerWords},
     ReadPgstack,
     WritePgstack,
     VersionScheme::kSequenceOrTime,
     "%Y%m%d%H%M%S",
     true,
     {}},
    {Format::kGolangMigrate,
     "golang-migrate",
     "<version>_<name>.up.sql and <version>_<name>.down.sql",
     UpDownSqlName,
     {},
     ReadGolangMigrate,
     WriteGolangMigrate,
     VersionScheme::kSequenceOrTime,
     "%Y%m%d%H%M%S",
     false,
     {"schema_migrations",
      "EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'schema_migrations'::regclass "
      "AND attname = 'dirty')",
      "", "SELECT version::text FROM schema_migrations WHERE NOT dirty",
      "SELECT version::text FROM schema_migrations WHERE dirty"}},
    {Format::kDbmate,
     "dbmate",
     "<version>_<name>.sql with '-- migrate:up [transaction:false]' and '-- migrate:down' sections",
     NumberedSqlName,
     {"-- migrate:up", "-- migrate:down", DbmateMarkerWords},
     ReadDbmate,
     WriteDbmate,
     VersionScheme::kTime,
     "%Y%m%d%H%M%S",
     false,
     {"schema_migrations",
      "NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'schema_migrations'::regclass "
      "AND attname = 'dirty')",
      "SELECT version::text FROM schema_migrations ORDER BY version", "", ""}},
    {Format::kFlyway,
     "flyway",
     "V<version>__<name>.sql, U<version>__<name>.sql (down), R__<name>.sql, <file>.conf",
     FlywayEntryName,
     {},
     ReadFlyway,
     WriteFlyway,
     VersionScheme::kSequenceFromOne,
     "%Y%m%d%H%M%S",
     true,
     {"flyway_schema_history", "true",
      "SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL "
      "AND type NOT IN ('BASELINE', 'SCHEMA', 'DELETE') AND type NOT LIKE 'UNDO%' "
      "ORDER BY installed_rank",
      "SELECT version FROM flyway_schema_history WHERE success AND type = 'BASELINE' "
      "ORDER BY installed_rank DESC LIMIT 1",
      ""}},
    {Format::kSqlx,
     "sqlx",
     "<version>_<name>.sql, or .up.sql and .down.sql; '-- no-transaction' as the first line",
     NumberedSqlName,
     {},
     ReadSqlx,
     WriteSqlx,
     VersionScheme::kSequenceOrTime,
     "%Y%m%d%H%M%S",
     false,
     {"_sqlx_migrations", "true",
      "SELECT version::text FROM _sqlx_migrations WHERE success ORDER BY version", "", ""}},
    {Format::kDiesel,
     "diesel",
     "<version>_<name>/ holding up.sql, down.sql and an optional metadata.toml",
     DieselEntryName,
     {},
     ReadDiesel,
     WriteDiesel,
     VersionScheme::kTime,
     "%Y-%m-%d-%H%M%S",
     false,
     {"__diesel_schema_migrations", "true",
      "SELECT version FROM __diesel_schema_migrations ORDER BY version", "", ""}},
};

}  // namespace

std::span<const FormatSpec> FormatTable() { return kFormats; }

const FormatSpec& SpecOf(Format f) {
  for (const FormatSpec& s : kFormats) {
    if (s.format == f) return s;
  }
  return kFormats[0];  // unreachable: every Format has its row (FormatTable.EveryFormatHasARow)
}

bool HasMarker(std::string_view content, const SectionMarkers& markers) {
  // A marker counts at the start of a line only, as the readers split on it. A down marker alone
  // says the format as well: such a file is a broken one of that format, which its reader
  // refuses, never a sqlx file whose down SQL would run as up.
  for (std::string_view m : {markers.up, markers.down}) {
    if (m.empty()) continue;
    for (size_t p = content.find(m); p != std::string_view::npos; p = content.find(m, p + 1)) {
      if (p == 0 || content[p - 1] == '\n') return true;
    }
  }
  return false;
}

const FormatSpec* SectionedFormatOf(std::string_view content) {
  for (const FormatSpec& s : kFormats) {
    if (!s.markers.up.empty() && HasMarker(content, s.markers)) return &s;
  }
  return nullptr;
}

}  // namespace pgstack::migrate::internal
