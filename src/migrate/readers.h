// Internal to the readers: one function per directory format, and what they share.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pgstack/core/status.h"
#include "pgstack/migrate/flyway_placeholders.h"
#include "pgstack/migrate/migration.h"

namespace pgstack::migrate::internal {

struct DirEntry {
  std::string name;
  bool is_dir = false;
  // A file's content, read ahead (in parallel) when listing; nullopt when not read yet.
  std::optional<std::string> content;
};

// Reads a file whole.
Result<std::string> ReadWholeFile(const std::string& path);
// A migration file's text as pgstack takes it: a leading UTF-8 byte-order mark dropped (editors
// hide it, and in front of a marker line it would hide the marker), and a NUL byte refused,
// naming path:line:column: SQL goes to the server as a C string, so the text after a NUL would
// silently never arrive. (Invalid UTF-8, the other byte the protocol cannot carry, is refused
// by MakeSqlText.)
Result<std::string> CheckedFileText(const std::string& path, std::string content);
// ReadWholeFile and CheckedFileText.
Result<std::string> ReadMigrationFile(const std::string& path);

// Refuses path when it is a symlink that resolves outside root (the migrations directory),
// loops, or dangles: what a migration holds goes to the server (and its log), and a link must
// not carry a file from elsewhere there (ln -s /etc/shadow 0001_a.sql). Not a symlink: Ok.
Status CheckLinkInside(const std::string& root, const std::string& path);
// An entry's content: what was read ahead, or the file read now.
Result<std::string> EntryContent(const std::string& dir, const DirEntry& e);
// Reads the content of every file entry ahead, on a few threads: for thousands of small files
// the cost is system calls, which threads overlap.
void ReadAhead(const std::string& dir, std::vector<DirEntry>& entries);

// SQL text checked and split: valid UTF-8, lexically complete, an outer BEGIN ... COMMIT
// removed, no other transaction control. Empty text gives no statements (callers decide).
Result<SqlText> MakeSqlText(std::string path, std::string sql, int first_line);

// A down SQL text: as MakeSqlText; nullopt when it holds no statement.
Result<std::optional<SqlText>> MakeDownSql(std::string path, std::string sql, int first_line);

// Whether a small settings file (Flyway's .conf, diesel's metadata.toml) sets key to false
// ("key=false", "key = false"); false when the file does not exist.
Result<bool> SettingSaysFalse(const std::string& path, std::string_view key);

// "<digits><sep><name>" split into version and name; nullopt when it is not that.
std::optional<std::pair<Version, std::string>> SplitNumbered(std::string_view stem);

// A file made of marked sections ("-- migrate:up" / "-- migrate:down"): each section's text
// runs from the line after its marker to the next marker; options are the rest of the marker
// line. nullopt when there is no up marker.
struct Section {
  bool present = false;
  std::string text;
  int first_line = 1;
  std::string options;
};
struct Sections {
  Section up;
  Section down;
};
std::optional<Sections> SplitSections(std::string_view content, std::string_view up_marker,
                                      std::string_view down_marker);

// A file "<version>_<name>.sql" that is not an ".up.sql" or ".down.sql".
bool NumberedSqlName(const DirEntry& e);

bool EndsWith(std::string_view s, std::string_view suffix);
bool StartsWith(std::string_view s, std::string_view prefix);

// Sorts versioned migrations by version (repeatables last, by name) and fails on a duplicate
// version, naming both files.
Status SortAndCheck(std::vector<Migration>& migrations);

// golang-migrate's pairs of "<version>_<name>.up.sql" and ".down.sql", which sqlx's reversible
// migrations share; `sqlx_directives`: a first line "-- no-transaction" runs the file outside a
// transaction.
Result<std::vector<Migration>> ReadUpDownPairs(const std::string& dir,
                                               const std::vector<DirEntry>& entries,
                                               bool sqlx_directives);

// The format an entry's name (and content, for numbered files) says, or nullopt when it is no
// format's.
Result<std::optional<Format>> EntryFormat(const std::string& dir, const DirEntry& e);

}  // namespace pgstack::migrate::internal
