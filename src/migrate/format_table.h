// The table of migration-directory formats: one row per format holds everything pgstack knows
// of it (its name, how its files are recognised, read and written, how a file runs outside a
// transaction, and the history table its own tool keeps). Adding a format is one row in
// format_table.cpp plus its file, format_<name>.cpp, with the reader and the writer the row
// names (docs/migrations.md, "Adding a migration format").
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "readers.h"

namespace pgstack::migrate::internal {

// One direction of a migration to write. nullopt in a Draft: the placeholder the tool's own
// `new` command writes (what `migrate new` scaffolds).
struct DraftSection {
  std::string sql;
  bool no_transaction = false;  // written with the format's no-transaction marker
};

struct Draft {
  std::string dir;
  std::string version;  // already in the format's version scheme (NextVersionText)
  std::string name;
  std::optional<DraftSection> up;
  std::optional<DraftSection> down;
};

struct DraftFile {
  std::string path;
  std::string text;
};

// How a format numbers a new migration.
enum class VersionScheme {
  kSequenceOrTime,   // continue a numbered sequence; the UTC time when there is none
  kTime,             // always the UTC time
  kSequenceFromOne,  // continue the sequence; 1 in an empty directory (Flyway's V1)
};

// The history table a format's own tool keeps, as `migrate adopt` reads it. Empty `table`: none.
struct HistoryTable {
  std::string_view table;
  // A condition true when the table is this tool's (dbmate's and golang-migrate's share a name).
  std::string_view shape;
  // The applied versions one by one, the version everything up to which counts as applied,
  // and the version a failed run left dirty ("": the tool has no such notion).
  std::string_view applied;
  std::string_view through;
  std::string_view dirty;
};

// Formats whose up and down live in one file, split by marker lines.
struct SectionMarkers {
  std::string_view up;  // empty: the format is not sectioned
  std::string_view down;
  // The words after a marker ("no-transaction", dbmate's "transaction:false").
  Result<FileOptions> (*options)(std::string_view words, const std::string& where) = nullptr;
};

struct ReadInput {
  const std::string& dir;
  const std::vector<DirEntry>& entries;  // hidden and non-SQL files removed
  const FlywayPlaceholders& flyway;
};

struct FormatSpec {
  Format format;
  std::string_view name;
  std::string_view layout;  // one line of help: how its files look
  // Whether an entry's name can be this format's. Detection takes the first row, in table order,
  // whose name test and (for sectioned formats) marker both match.
  bool (*names)(const DirEntry& e);
  SectionMarkers markers;
  Result<std::vector<Migration>> (*read)(const ReadInput& in);
  // The files of a new migration, as the format's own tool lays them out. `set` is the
  // directory as read (sqlx writes reversible pairs where the directory has them).
  std::vector<DraftFile> (*write)(const Draft& d, const MigrationSet& set);
  VersionScheme scheme;
  const char* stamp_layout;  // strftime layout of a time version
  // Whether the tool runs a no-transaction file statement by statement. Where it sends the file
  // as one batch (a multi-statement simple query, itself a transaction), a file outside a
  // transaction can hold one statement only.
  bool splits_without_transaction;
  HistoryTable history;
};

// The rows' functions, one file per format (format_<name>.cpp; pgstack's and dbmate's share
// format_sectioned.cpp). A reader fails on an entry it cannot read as its format, naming it.
bool UpDownSqlName(const DirEntry& e);  // "<version>_<name>.up.sql" or ".down.sql"
bool FlywayEntryName(const DirEntry& e);
bool DieselEntryName(const DirEntry& e);
Result<FileOptions> PgstackMarkerWords(std::string_view words, const std::string& where);
Result<FileOptions> DbmateMarkerWords(std::string_view words, const std::string& where);
Result<std::vector<Migration>> ReadPgstack(const ReadInput& in);
Result<std::vector<Migration>> ReadDbmate(const ReadInput& in);
Result<std::vector<Migration>> ReadGolangMigrate(const ReadInput& in);
Result<std::vector<Migration>> ReadFlyway(const ReadInput& in);
Result<std::vector<Migration>> ReadSqlx(const ReadInput& in);
Result<std::vector<Migration>> ReadDiesel(const ReadInput& in);
std::vector<DraftFile> WritePgstack(const Draft& d, const MigrationSet& set);
std::vector<DraftFile> WriteDbmate(const Draft& d, const MigrationSet& set);
std::vector<DraftFile> WriteGolangMigrate(const Draft& d, const MigrationSet& set);
std::vector<DraftFile> WriteFlyway(const Draft& d, const MigrationSet& set);
std::vector<DraftFile> WriteSqlx(const Draft& d, const MigrationSet& set);
std::vector<DraftFile> WriteDiesel(const Draft& d, const MigrationSet& set);

// The rows, in the order names are listed and detection tries them.
std::span<const FormatSpec> FormatTable();
const FormatSpec& SpecOf(Format f);

// A marker of `markers` at the start of a line of content.
bool HasMarker(std::string_view content, const SectionMarkers& markers);
// The sectioned format whose markers a file's content carries; nullptr when none (the whole file
// is its up SQL, as sqlx's and golang-migrate's are).
const FormatSpec* SectionedFormatOf(std::string_view content);

}  // namespace pgstack::migrate::internal
