#include "pgstack/migrate/sql_lexer.h"

#include <algorithm>
#include <cctype>

namespace pgstack::migrate {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool IsIdentStart(char c) {
  auto u = static_cast<unsigned char>(c);
  return std::isalpha(u) || c == '_' || u >= 0x80;
}
bool IsIdentChar(char c) {
  return IsIdentStart(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$';
}

// Scans one token at a time from a position that the caller may move (past COPY data).
class Scanner {
 public:
  explicit Scanner(std::string_view text) : t_(text) {}

  size_t pos() const { return pos_; }
  void Seek(size_t pos) { pos_ = pos; }

  // Fills tok and returns true, or returns false at the end of the text or on an error
  // (then error() is set).
  bool Next(Token& tok) {
    if (!SkipSpaceAndComments()) return false;
    if (pos_ >= t_.size()) return false;
    size_t start = pos_;
    char c = t_[pos_];
    char n = Peek(1);
    auto finish = [&](TokenKind kind) {
      tok = Token{kind, start, pos_};
      return !error_;
    };
    // String prefixes: E'...', B'...', X'...', N'...', U&'...', U&"...".
    if ((c == 'E' || c == 'e') && n == '\'') {
      pos_ += 1;
      ScanQuoted('\'', true, start);
      return finish(TokenKind::kString);
    }
    if ((c == 'B' || c == 'b' || c == 'X' || c == 'x' || c == 'N' || c == 'n') && n == '\'') {
      pos_ += 1;
      ScanQuoted('\'', false, start);
      return finish(TokenKind::kString);
    }
    if ((c == 'U' || c == 'u') && n == '&' && (Peek(2) == '\'' || Peek(2) == '"')) {
      char q = Peek(2);
      pos_ += 2;
      ScanQuoted(q, false, start);
      return finish(q == '"' ? TokenKind::kQuotedIdent : TokenKind::kString);
    }
    if (IsIdentStart(c)) {
      while (pos_ < t_.size() && IsIdentChar(t_[pos_])) ++pos_;
      return finish(TokenKind::kWord);
    }
    if (c == '\'') {
      ScanQuoted('\'', false, start);
      return finish(TokenKind::kString);
    }
    if (c == '"') {
      ScanQuoted('"', false, start);
      return finish(TokenKind::kQuotedIdent);
    }
    if (c == '$') {
      if (std::isdigit(static_cast<unsigned char>(n))) {
        ++pos_;
        while (pos_ < t_.size() && std::isdigit(static_cast<unsigned char>(t_[pos_]))) ++pos_;
        return finish(TokenKind::kParam);
      }
      if (ScanDollarQuote(start)) return finish(TokenKind::kDollarString);
      if (error_) return false;
      ++pos_;
      return finish(TokenKind::kPunct);
    }
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '.' && std::isdigit(static_cast<unsigned char>(n)))) {
      while (pos_ < t_.size() && (std::isalnum(static_cast<unsigned char>(t_[pos_])) ||
                                  t_[pos_] == '.' || t_[pos_] == '_')) {
        ++pos_;
      }
      return finish(TokenKind::kNumber);
    }
    ++pos_;
    return finish(TokenKind::kPunct);
  }

  const std::optional<LexError>& error() const { return error_; }

 private:
  char Peek(size_t ahead) const { return pos_ + ahead < t_.size() ? t_[pos_ + ahead] : '\0'; }

  bool SkipSpaceAndComments() {
    while (pos_ < t_.size()) {
      char c = t_[pos_];
      if (IsSpace(c)) {
        ++pos_;
      } else if (c == '-' && Peek(1) == '-') {
        while (pos_ < t_.size() && t_[pos_] != '\n') ++pos_;
      } else if (c == '/' && Peek(1) == '*') {
        size_t start = pos_;
        int depth = 0;
        while (pos_ < t_.size()) {
          if (t_[pos_] == '/' && Peek(1) == '*') {
            ++depth;
            pos_ += 2;
          } else if (t_[pos_] == '*' && Peek(1) == '/') {
            pos_ += 2;
            if (--depth == 0) break;
          } else {
            ++pos_;
          }
        }
        if (depth != 0) {
          error_ = LexError{start, "unterminated /* comment"};
          return false;
        }
      } else {
        return true;
      }
    }
    return true;
  }

  // pos_ is at the opening quote q. A doubled quote stands for itself; with backslashes (E''),
  // a backslash escapes the next character.
  void ScanQuoted(char q, bool backslashes, size_t start) {
    ++pos_;
    while (pos_ < t_.size()) {
      char c = t_[pos_];
      if (backslashes && c == '\\') {
        pos_ += 2;
        continue;
      }
      if (c == q) {
        if (Peek(1) == q) {
          pos_ += 2;
          continue;
        }
        ++pos_;
        return;
      }
      ++pos_;
    }
    pos_ = t_.size();
    error_ =
        LexError{start, q == '"' ? "unterminated quoted identifier" : "unterminated quoted string"};
  }

  // pos_ is at '$'. Returns true past the closing tag of a dollar quote; false (pos_ unchanged)
  // when this '$' does not open one.
  bool ScanDollarQuote(size_t start) {
    size_t p = pos_ + 1;
    if (p < t_.size() && t_[p] != '$') {
      if (!IsIdentStart(t_[p])) return false;
      while (p < t_.size() && IsIdentChar(t_[p]) && t_[p] != '$') ++p;
      if (p >= t_.size() || t_[p] != '$') return false;
    }
    if (p >= t_.size()) return false;
    std::string_view tag = t_.substr(pos_, p + 1 - pos_);
    size_t close = t_.find(tag, p + 1);
    if (close == std::string_view::npos) {
      pos_ = t_.size();
      error_ = LexError{start, "unterminated dollar-quoted string " + std::string(tag)};
      return false;
    }
    pos_ = close + tag.size();
    return true;
  }

  std::string_view t_;
  size_t pos_ = 0;
  std::optional<LexError> error_;
};

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Whether "set_config" appears in text, in any case: in a word, a string or a function body.
bool MentionsSetConfig(std::string_view text) {
  constexpr std::string_view kName = "set_config";
  auto it = std::search(text.begin(), text.end(), kName.begin(), kName.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == b;
  });
  return it != text.end();
}

// The words of a statement (upper-case; "" for tokens that are not words), for classification.
struct Words {
  std::vector<std::string> w;
  const std::string& operator[](size_t i) const {
    static const std::string kEmpty;
    return i < w.size() ? w[i] : kEmpty;
  }
  bool Has(std::string_view word) const {
    for (const auto& x : w) {
      if (x == word) return true;
    }
    return false;
  }
};

void ParseConcurrentIndex(std::string_view text, const std::vector<Token>& toks, const Words& words,
                          Statement& st) {
  size_t i = 0;
  while (i < toks.size() && words[i] != "CONCURRENTLY") ++i;
  ++i;
  if (words[i] == "IF" && words[i + 1] == "NOT" && words[i + 2] == "EXISTS") i += 3;
  if (i >= toks.size() || words[i] == "ON") return;  // unnamed: nothing to find on resume
  auto tok_text = [&](size_t k) {
    return std::string(text.substr(toks[k].begin, toks[k].end - toks[k].begin));
  };
  st.concurrent_index = tok_text(i++);
  if (words[i] != "ON") return;
  ++i;
  if (words[i] == "ONLY") ++i;
  if (i >= toks.size()) return;
  std::string table = tok_text(i++);
  while (i + 1 < toks.size() && tok_text(i) == ".") {
    table += '.';
    table += tok_text(i + 1);
    i += 2;
  }
  st.concurrent_index_table = table;
}

void Classify(std::string_view text, const std::vector<Token>& toks, Statement& st) {
  Words words;
  words.w.reserve(toks.size());
  for (const auto& t : toks) {
    words.w.push_back(t.kind == TokenKind::kWord ? Upper(text.substr(t.begin, t.end - t.begin))
                                                 : std::string());
  }
  st.keyword = words[0];
  const std::string& a = words[0];
  const std::string& b = words[1];
  const std::string& c = words[2];
  if (a == "BEGIN" || (a == "START" && b == "TRANSACTION")) {
    st.kind = StatementKind::kTransactionControl;
    st.is_begin = true;
  } else if (a == "COMMIT" || a == "END") {
    st.kind = StatementKind::kTransactionControl;
    st.is_commit = b != "PREPARED";
  } else if (a == "ROLLBACK" || a == "ABORT" || a == "SAVEPOINT" || a == "RELEASE" ||
             (a == "PREPARE" && b == "TRANSACTION")) {
    st.kind = StatementKind::kTransactionControl;
  } else if ((a == "CREATE" && (b == "INDEX" || (b == "UNIQUE" && c == "INDEX")) &&
              words.Has("CONCURRENTLY"))) {
    st.kind = StatementKind::kNoTransaction;
    ParseConcurrentIndex(text, toks, words, st);
  } else if ((a == "DROP" && b == "INDEX" && c == "CONCURRENTLY") ||
             (a == "REINDEX" &&
              (words.Has("CONCURRENTLY") || words.Has("SYSTEM") || words.Has("DATABASE"))) ||
             a == "VACUUM" || (a == "ALTER" && b == "SYSTEM") ||
             ((a == "CREATE" || a == "DROP") &&
              (b == "DATABASE" || b == "TABLESPACE" || b == "SUBSCRIPTION")) ||
             (a == "ALTER" && b == "DATABASE" && words.Has("TABLESPACE")) ||
             (a == "ALTER" && b == "TABLE" && words.Has("DETACH") && words.Has("CONCURRENTLY"))) {
    st.kind = StatementKind::kNoTransaction;
  }
  st.changes_settings = (a == "SET" && b != "TRANSACTION" && b != "CONSTRAINTS") || a == "RESET" ||
                        MentionsSetConfig(text.substr(st.begin, st.end - st.begin));
  if (a == "COPY") {
    for (size_t i = 1; i + 1 < toks.size(); ++i) {
      if (words[i] == "FROM" && words[i + 1] == "STDIN") st.copy_from_stdin = true;
    }
  }
}

bool IsRoutineDefinition(std::string_view text, const std::vector<Token>& toks) {
  size_t i = 0;
  auto word = [&](size_t k) {
    return k < toks.size() && toks[k].kind == TokenKind::kWord
               ? Upper(text.substr(toks[k].begin, toks[k].end - toks[k].begin))
               : std::string();
  };
  if (word(i++) != "CREATE") return false;
  if (word(i) == "OR" && word(i + 1) == "REPLACE") i += 2;
  std::string w = word(i);
  return w == "FUNCTION" || w == "PROCEDURE";
}

// Moves past COPY FROM STDIN data that starts on the line after `from`; fills st's copy fields.
size_t SkipCopyData(std::string_view text, size_t from, Statement& st) {
  size_t nl = text.find('\n', from);
  size_t data = nl == std::string_view::npos ? text.size() : nl + 1;
  st.copy_data_begin = data;
  size_t line = data;
  while (line < text.size()) {
    size_t eol = text.find('\n', line);
    size_t line_end = eol == std::string_view::npos ? text.size() : eol;
    std::string_view l = text.substr(line, line_end - line);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (l == "\\.") {
      st.copy_data_end = line;
      st.copy_block_end = eol == std::string_view::npos ? text.size() : eol + 1;
      return st.copy_block_end;
    }
    line = eol == std::string_view::npos ? text.size() : eol + 1;
  }
  st.copy_data_end = st.copy_block_end = text.size();
  return text.size();
}

}  // namespace

std::optional<LexError> Tokenize(std::string_view text, std::vector<Token>& out) {
  Scanner s(text);
  Token t{};
  while (s.Next(t)) out.push_back(t);
  return s.error();
}

std::optional<LexError> SplitStatements(std::string_view text, std::vector<Statement>& out) {
  Scanner s(text);
  std::vector<Token> toks;
  int parens = 0;
  int atomic_depth = 0;
  bool routine = false;
  auto finish = [&](size_t end) {
    if (toks.empty()) return;
    Statement st;
    st.begin = toks.front().begin;
    st.end = end;
    Classify(text, toks, st);
    if (st.copy_from_stdin) s.Seek(SkipCopyData(text, end, st));
    out.push_back(std::move(st));
    toks.clear();
    parens = atomic_depth = 0;
    routine = false;
  };
  Token t{};
  while (s.Next(t)) {
    if (t.kind == TokenKind::kPunct) {
      char c = text[t.begin];
      if (c == '(') {
        ++parens;
      } else if (c == ')') {
        if (parens > 0) --parens;
      } else if (c == ';' && parens == 0 && atomic_depth == 0) {
        finish(t.end);
        continue;
      }
    } else if (t.kind == TokenKind::kWord && routine) {
      std::string w = Upper(text.substr(t.begin, t.end - t.begin));
      if (w == "BEGIN" || w == "CASE") {
        ++atomic_depth;
      } else if (w == "END" && atomic_depth > 0) {
        --atomic_depth;
      }
    }
    toks.push_back(t);
    if (!routine && toks.size() <= 4) routine = IsRoutineDefinition(text, toks);
  }
  if (s.error()) return s.error();
  if (!toks.empty()) finish(toks.back().end);
  return std::nullopt;
}

LineColumn LineColumnAt(std::string_view text, size_t offset) {
  LineColumn lc;
  if (offset > text.size()) offset = text.size();
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++lc.line;
      lc.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++lc.column;
    }
  }
  return lc;
}

size_t ByteOffsetOfChar(std::string_view text, size_t chars) {
  size_t seen = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (seen == chars) return i;
      ++seen;
    }
  }
  return text.size();
}

size_t CharCount(std::string_view text) {
  size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::optional<size_t> InvalidUtf8At(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 0;
    if (len == 0 || i + len > text.size()) return i;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return i;
    }
    if (c == 0xC0 || c == 0xC1 || c > 0xF4) return i;  // overlong or beyond U+10FFFF
    if (len == 3 && c == 0xE0 && static_cast<unsigned char>(text[i + 1]) < 0xA0) return i;
    if (len == 3 && c == 0xED && static_cast<unsigned char>(text[i + 1]) >= 0xA0) return i;
    if (len == 4 && c == 0xF0 && static_cast<unsigned char>(text[i + 1]) < 0x90) return i;
    if (len == 4 && c == 0xF4 && static_cast<unsigned char>(text[i + 1]) >= 0x90) return i;
    i += len;
  }
  return std::nullopt;
}

}  // namespace pgstack::migrate
