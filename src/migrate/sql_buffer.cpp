#include "sql_buffer.h"

#include <fmt/format.h>

#include "pgstack/pg/error_class.h"

namespace pgstack::migrate::internal {

void SqlBuffer::Add(std::string_view text, const SqlText* src, size_t src_begin,
                    size_t statements) {
  size_t n = CharCount(text);
  pieces_.push_back(
      {chars_, n, src, src_begin, text_.size(), text.size(), statements_, statements});
  text_.append(text);
  chars_ += n;
  statements_ += statements;
}

void SqlBuffer::Append(std::string_view statement) {
  std::string text(statement);
  text += ";\n";
  Add(text, nullptr, 0, 1);
}

void SqlBuffer::AppendStatement(const SqlText& src, const Statement& st) {
  std::string_view body = std::string_view(src.sql).substr(st.begin, st.end - st.begin);
  Add(body, &src, st.begin, 1);
  Add(body.empty() || body.back() != ';' ? ";\n" : "\n", nullptr, 0, 0);
}

std::string SqlBuffer::Where(int position) const {
  if (position <= 0) return "";
  size_t ch = static_cast<size_t>(position - 1);
  for (const auto& p : pieces_) {
    if (ch < p.char_begin || ch >= p.char_begin + p.char_len) continue;
    if (!p.src) return "";
    std::string_view piece = std::string_view(text_).substr(p.byte_begin, p.byte_len);
    return p.src->Where(p.src_begin + ByteOffsetOfChar(piece, ch - p.char_begin));
  }
  return "";
}

std::string SqlBuffer::WhereStatement(size_t index) const {
  for (const auto& p : pieces_) {
    if (index < p.statement_begin || index >= p.statement_begin + p.statements) continue;
    return p.src ? p.src->Where(p.src_begin) : "";
  }
  return "";
}

Status SqlBuffer::Locate(const Status& s, const std::string& fallback,
                         std::optional<size_t> failed_statement) const {
  if (s.ok()) return s;
  std::string where = Where(s.position());
  if (where.empty() && s.position() <= 0 && failed_statement && !s.sqlstate().empty()) {
    where = WhereStatement(*failed_statement);
  }
  if (where.empty()) where = fallback;
  std::string msg = s.sqlstate().empty()
                        ? fmt::format("{}: {}", where, s.message())
                        : fmt::format("{}: {} (SQLSTATE {})", where, s.message(), s.sqlstate());
  Code code = pg::IsSyntaxError(s) ? Code::kInvalidInput : s.code();
  return Status::Postgres(msg, s.sqlstate(), s.position()).WithCode(code);
}

}  // namespace pgstack::migrate::internal
