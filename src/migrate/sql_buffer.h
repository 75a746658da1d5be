// Text sent to the server, with where each piece came from, so that the character position of
// a server error turns back into file:line:column.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pgstack/core/status.h"
#include "pgstack/migrate/migration.h"

namespace pgstack::migrate::internal {

class SqlBuffer {
 public:
  // Text of our own (BEGIN, the history row, ...).
  void Append(std::string_view text);
  // A statement of a file, terminated with ';' (added when the file left it out) and a newline.
  void AppendStatement(const SqlText& src, const Statement& st);

  const std::string& str() const { return text_; }
  size_t size() const { return text_.size(); }
  bool empty() const { return text_.empty(); }

  // "path:line:column" of a 1-based character position, or "" when it falls in our own text.
  std::string Where(int position) const;

  // The same error with its location in front: "path:line:column: message (SQLSTATE x)".
  // `fallback` names the place when the server gave no position (or one in our own text).
  // A syntax error becomes kInvalidInput: the file is wrong, not the run.
  Status Locate(const Status& s, const std::string& fallback) const;

 private:
  struct Piece {
    size_t char_begin;
    size_t char_len;
    const SqlText* src;  // null for our own text
    size_t src_begin;    // byte offset in src->sql
    size_t byte_begin;   // byte offset in text_
    size_t byte_len;
  };
  void Add(std::string_view text, const SqlText* src, size_t src_begin);

  std::string text_;
  size_t chars_ = 0;
  std::vector<Piece> pieces_;
};

}  // namespace pgstack::migrate::internal
