// The SQL lexer and splitter on any bytes. Invariants: tokens and statements lie in order inside
// the text; what lies between statements is only whitespace, comments and ';' (so the pieces
// re-joined give back the input and no SQL is dropped); a statement split again alone is one
// statement; line/column and character offsets agree with each other.
#include "pgstack/migrate/sql_lexer.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "require.h"

using namespace pgstack::migrate;

namespace {

// Text between statements: tokens there can only be ';'.
void RequireOnlySeparators(std::string_view gap) {
  std::vector<Token> toks;
  Require(!Tokenize(gap, toks), "a gap between statements does not lex");
  for (const auto& t : toks) {
    Require(t.kind == TokenKind::kPunct && gap[t.begin] == ';',
            "SQL between statements was dropped");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  std::vector<Token> toks;
  auto lex_error = Tokenize(text, toks);
  size_t prev = 0;
  for (const auto& t : toks) {
    Require(t.begin >= prev && t.begin < t.end && t.end <= size, "token out of order or bounds");
    prev = t.end;
  }
  if (lex_error) Require(lex_error->offset <= size && !lex_error->message.empty(), "lex error");

  std::vector<Statement> st;
  auto split_error = SplitStatements(text, st);
  if (split_error) {
    Require(split_error->offset <= size, "split error offset out of bounds");
  } else {
    std::string rejoined;
    size_t pos = 0;
    for (const auto& s : st) {
      Require(s.begin >= pos && s.begin < s.end && s.end <= size, "statement out of order");
      std::string_view gap = text.substr(pos, s.begin - pos);
      RequireOnlySeparators(gap);
      rejoined.append(gap);
      size_t block_end = s.end;
      if (s.copy_from_stdin) {
        Require(s.end <= s.copy_data_begin && s.copy_data_begin <= s.copy_data_end &&
                    s.copy_data_end <= s.copy_block_end && s.copy_block_end <= size,
                "COPY data bounds");
        block_end = s.copy_block_end;
      } else {
        std::vector<Statement> again;
        std::string_view body = text.substr(s.begin, s.end - s.begin);
        Require(!SplitStatements(body, again) && again.size() == 1 && again[0].begin == 0 &&
                    again[0].end == body.size(),
                "a statement split again is not one statement");
      }
      rejoined.append(text.substr(s.begin, block_end - s.begin));
      pos = block_end;
    }
    RequireOnlySeparators(text.substr(pos));
    rejoined.append(text.substr(pos));
    Require(rejoined == text, "statements re-joined do not give back the input");
  }

  auto bad = InvalidUtf8At(text);
  Require(!bad || *bad < size, "invalid UTF-8 offset out of bounds");
  std::string_view valid = text.substr(0, bad.value_or(size));
  size_t chars = CharCount(valid);
  Require(ByteOffsetOfChar(valid, chars) == valid.size(), "char count and offset disagree");
  if (chars > 0) {
    size_t mid = ByteOffsetOfChar(valid, chars / 2);
    Require(CharCount(valid.substr(0, mid)) == chars / 2, "char offset and count disagree");
    LineColumn lc = LineColumnAt(valid, mid);
    Require(lc.line >= 1 && lc.column >= 1, "line:column below 1");
  }
  return 0;
}
