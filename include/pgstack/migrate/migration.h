// A migration as pgstack runs it, whatever directory format it came from: a version, a name, up
// SQL, optional down SQL, and options. Readers (source.h) build these; nothing here touches the
// database.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgstack/core/status.h"
#include "pgstack/migrate/sql_lexer.h"

namespace pgstack::migrate {

// Dot-separated non-negative integers ("20240101120000", "1.2.10", "0"), compared part by
// part, so "1.10" > "1.9" and "000020" == "20". str() is the canonical text: no leading zeros.
class Version {
 public:
  // nullopt unless text is digits separated by single dots, each part at most 19 digits.
  static std::optional<Version> Parse(std::string_view text);

  const std::string& str() const { return text_; }
  // "0", "0000", "0.0": below every migration (`down --to 0` reverts all, version 0 included).
  bool IsZero() const {
    for (uint64_t p : parts_) {
      if (p != 0) return false;
    }
    return true;
  }
  std::strong_ordering operator<=>(const Version& o) const { return parts_ <=> o.parts_; }
  bool operator==(const Version& o) const { return parts_ == o.parts_; }

 private:
  std::vector<uint64_t> parts_;
  std::string text_;
};

enum class Format { kPgstack, kGolangMigrate, kDbmate, kFlyway, kSqlx, kDiesel };
std::string_view FormatName(Format f);
std::optional<Format> ParseFormat(std::string_view name);
// pgstack, golang-migrate, dbmate, flyway, sqlx, diesel: for help, errors and completion.
std::vector<std::string> FormatNames();
// For help: a line per format, "name: how its files look".
std::string FormatLayouts();
// The value of a flag that names a format (`flag` is its name, for the message): nullopt when
// empty; kInvalidInput naming the nearest format when it names none.
Result<std::optional<Format>> ParseFormatFlag(std::string_view flag, std::string_view text);

// SQL from a file or a section of one, split into statements. Offsets are bytes into sql.
struct SqlText {
  std::string path;    // the file, as dir + "/" + name
  std::string sql;     // the text as read (line endings untouched)
  int first_line = 1;  // the file's line number of sql[0] (sql starts at a line's start)
  std::vector<Statement> statements;  // without an outer BEGIN/COMMIT the file carried
  bool had_own_transaction = false;   // the file wrapped itself in BEGIN ... COMMIT

  // "path:line:column" of a byte offset into sql.
  std::string Where(size_t offset) const;
  // True when any statement cannot run in a transaction block.
  bool NeedsNoTransaction() const;
  bool HasCopy() const;
};

// Options a file may carry (directives of its format).
struct FileOptions {
  bool no_transaction = false;              // run statement by statement, not in a transaction
  std::optional<int> lock_timeout_ms;       // pgstack format: lock-timeout=10s
  std::optional<int> statement_timeout_ms;  // pgstack format: statement-timeout=1min
};

// How a migration runs.
enum class RunMode {
  kTransaction,  // all statements and the history row in one transaction
  kStatements,   // statement by statement, progress recorded after each (resumable)
};
std::string_view RunModeName(RunMode m);  // "transaction" / "statements"

struct Migration {
  std::optional<Version> version;  // nullopt for a repeatable (Flyway R__)
  std::string name;
  SqlText up;
  std::optional<SqlText> down;
  FileOptions up_options;
  FileOptions down_options;
  std::string checksum;  // hex SHA-256 of up SQL with line endings normalised
  // A file whose up section holds no statement yet (as `migrate new` writes it): status, plan
  // and new list it; up and validate refuse it (planner.h: Unwritten).
  bool unwritten = false;
  // Why its files' SQL (up, down) could not be made, one "file:line:column: ..." each (a Flyway
  // placeholder without a value); empty when it could. Only a read that lists such files has
  // them (source.h), for status.
  std::vector<std::string> unreadable;

  bool repeatable() const { return !version.has_value(); }
  // The key of its history row: the canonical version, or "R__<name>" for a repeatable.
  std::string key() const;
  RunMode UpMode() const;
  RunMode DownMode() const;
};

// kInvalidInput naming every one of `migrations` whose SQL could not be made
// (Migration::unreadable), one to a line; OK when there is none.
Status Unreadables(const std::vector<const Migration*>& migrations);

struct MigrationSet {
  std::string dir;
  Format format = Format::kPgstack;
  // Versioned migrations in version order, then repeatables by name.
  std::vector<Migration> migrations;

  const Migration* Find(const Version& v) const;
};

}  // namespace pgstack::migrate
