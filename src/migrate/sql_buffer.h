// Text sent to the server, with where each piece came from, so that the character position of
// a server error turns back into file:line:column.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgstack/core/status.h"
#include "pgstack/migrate/migration.h"

namespace pgstack::migrate::internal {

class SqlBuffer {
 public:
  // A statement of our own (BEGIN, the history row, ...), without its ';' (added, with a newline).
  // One call, one statement: it is counted without being lexed (most of a batch's text is ours,
  // and lexing it was a sixth of the client's time in `migrate up` of 500 tiny files).
  void Append(std::string_view statement);
  // A statement of a file, terminated with ';' (added when the file left it out) and a newline.
  void AppendStatement(const SqlText& src, const Statement& st);

  const std::string& str() const { return text_; }
  size_t size() const { return text_.size(); }
  bool empty() const { return text_.empty(); }

  // "path:line:column" of a 1-based character position, or "" when it falls in our own text.
  std::string Where(int position) const;
  // "path:line:column" where the 0-based `index`th statement of the text starts (the server
  // runs them in order and answers each), or "" when it is one of our own.
  std::string WhereStatement(size_t index) const;

  // The same error with its location in front: "path:line:column: message (SQLSTATE x)".
  // A run-time error has no position in the text: then the place is where the statement that
  // failed starts, `failed_statement` (how many statements completed before it, when known),
  // and else `fallback`. A syntax error becomes kInvalidInput: the file is wrong, not the run.
  Status Locate(const Status& s, const std::string& fallback,
                std::optional<size_t> failed_statement = std::nullopt) const;

 private:
  struct Piece {
    size_t char_begin;
    size_t char_len;
    const SqlText* src;  // null for our own text
    size_t src_begin;    // byte offset in src->sql
    size_t byte_begin;   // byte offset in text_
    size_t byte_len;
    size_t statement_begin;  // index of its first statement in the whole text
    size_t statements;       // how many it holds
  };
  void Add(std::string_view text, const SqlText* src, size_t src_begin, size_t statements);

  std::string text_;
  size_t chars_ = 0;
  size_t statements_ = 0;
  std::vector<Piece> pieces_;
};

}  // namespace pgstack::migrate::internal
