#include "userlist.h"

namespace pgstack::verify {
namespace {

// Reads one quoted field at line[*pos], past leading blanks; nullopt when there is none.
std::optional<std::string> Field(std::string_view line, size_t* pos) {
  while (*pos < line.size() && (line[*pos] == ' ' || line[*pos] == '\t')) ++*pos;
  if (*pos >= line.size() || line[*pos] != '"') return std::nullopt;
  std::string out;
  for (size_t i = *pos + 1; i < line.size(); ++i) {
    if (line[i] != '"') {
      out += line[i];
    } else if (i + 1 < line.size() && line[i + 1] == '"') {
      out += '"';
      ++i;
    } else {
      *pos = i + 1;
      return out;
    }
  }
  return std::nullopt;  // unterminated
}

}  // namespace

std::optional<std::string> UserlistSecret(std::string_view text, std::string_view user) {
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    size_t pos = 0;
    auto name = Field(line, &pos);
    if (name && *name == user) {
      if (auto secret = Field(line, &pos)) return secret;
    }
    start = end + 1;
  }
  return std::nullopt;
}

}  // namespace pgstack::verify
