#include "pgstack/bench/script.h"

#include <cctype>
#include <charconv>

namespace pgstack::bench {
namespace {

bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

}  // namespace

Result<Script> Script::Make(const std::vector<std::string>& statements,
                            const std::vector<ScriptVar>& vars) {
  Script s;
  s.vars_ = vars;
  for (const auto& v : vars) {
    if (v.min > v.max) return Status::InvalidInput("script variable " + v.name + ": min > max");
  }
  for (const std::string& text : statements) {
    Statement st;
    std::string piece;
    for (size_t i = 0; i < text.size(); ++i) {
      bool is_ref = text[i] == ':' && (i == 0 || text[i - 1] != ':') && i + 1 < text.size() &&
                    text[i + 1] != ':';
      int found = -1;
      size_t end = i + 1;
      if (is_ref) {
        while (end < text.size() && IsNameChar(text[end])) ++end;
        std::string_view name(text.data() + i + 1, end - i - 1);
        for (size_t v = 0; v < vars.size(); ++v) {
          if (vars[v].name == name) found = static_cast<int>(v);
        }
      }
      if (found < 0) {
        piece += text[i];
        continue;
      }
      st.pieces.push_back(std::move(piece));
      piece.clear();
      st.refs.push_back(found);
      i = end - 1;
    }
    st.pieces.push_back(std::move(piece));
    s.statements_.push_back(std::move(st));
  }
  return s;
}

void Script::Draw(Rng& rng, std::vector<int64_t>& values) const {
  values.resize(vars_.size());
  for (size_t v = 0; v < vars_.size(); ++v) values[v] = rng.Between(vars_[v].min, vars_[v].max);
}

void Script::Render(size_t i, const std::vector<int64_t>& values, std::string& out) const {
  const Statement& st = statements_[i];
  out.assign(st.pieces[0]);
  for (size_t k = 0; k < st.refs.size(); ++k) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, values[st.refs[k]]);
    out.append(buf, end);
    out.append(st.pieces[k + 1]);
  }
}

}  // namespace pgstack::bench
