// A lexer for PostgreSQL's SQL dialect, as much of it as splitting a file into statements needs:
// standard and E'' strings, quoted identifiers, dollar quotes ($$, $tag$), line comments, nested
// block comments, parentheses, BEGIN ATOMIC bodies, and the data that follows
// COPY ... FROM STDIN. It never rejects SQL it does not understand (the server does that); it
// only fails on text that cannot be split: an unterminated string, comment or dollar quote.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgstack::migrate {

enum class TokenKind {
  kWord,          // keyword or unquoted identifier (may contain $ after the first character)
  kQuotedIdent,   // "..."
  kString,        // '...', E'...', B'...', X'...', U&'...', N'...'
  kDollarString,  // $tag$...$tag$
  kParam,         // $1
  kNumber,
  kPunct,  // any other single character (operators are split into characters)
};

struct Token {
  TokenKind kind;
  size_t begin;  // byte offsets into the scanned text
  size_t end;
};

// Text that cannot be split: where (byte offset) and what.
struct LexError {
  size_t offset = 0;
  std::string message;  // "unterminated quoted string", ...
};

// Scans text into tokens, skipping whitespace and comments.
std::optional<LexError> Tokenize(std::string_view text, std::vector<Token>& out);

// What a statement is, for deciding how to run it.
enum class StatementKind {
  kOrdinary,
  kNoTransaction,       // cannot run inside a transaction block (CREATE INDEX CONCURRENTLY, ...)
  kTransactionControl,  // BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK, ABORT, ...
};

struct Statement {
  size_t begin = 0;  // byte offset of the first token
  size_t end = 0;    // byte offset just past the terminating ';' (or the last token)
  StatementKind kind = StatementKind::kOrdinary;
  bool is_begin = false;   // BEGIN / START TRANSACTION
  bool is_commit = false;  // COMMIT / END
  // SET (LOCAL too), RESET, or a mention of set_config() anywhere in it (a function body, a DO
  // block): it may change settings or the role for what runs after it in its session.
  bool changes_settings = false;
  bool copy_from_stdin = false;
  size_t copy_data_begin = 0;  // COPY FROM STDIN: the data lines, without the "\." line
  size_t copy_data_end = 0;
  size_t copy_block_end = 0;  // just past the "\." line (== copy_data_end when absent)
  // CREATE [UNIQUE] INDEX CONCURRENTLY: the index name as written (quoted when it was) and the
  // table it is on, as written; empty otherwise.
  std::string concurrent_index;
  std::string concurrent_index_table;
  std::string keyword;  // the first word, upper-case ("CREATE", "COPY", ...)
};

// Splits text into its statements (empty ones, made of comments or stray ';', are dropped).
std::optional<LexError> SplitStatements(std::string_view text, std::vector<Statement>& out);

struct LineColumn {
  int line = 1;    // 1-based
  int column = 1;  // 1-based, in characters (UTF-8 code points)
};
// The line and column of a byte offset.
LineColumn LineColumnAt(std::string_view text, size_t offset);

// The byte offset of the 0-based character index `chars` (UTF-8) in text; text.size() past
// the end.
size_t ByteOffsetOfChar(std::string_view text, size_t chars);
// The number of characters (UTF-8 code points) in text.
size_t CharCount(std::string_view text);

// The offset of the first byte that is not valid UTF-8, or nullopt when all of it is.
std::optional<size_t> InvalidUtf8At(std::string_view text);

}  // namespace pgstack::migrate
