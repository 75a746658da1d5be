#include "pgstack/pg/sql_literal.h"

namespace pgstack::pg {

std::string SqlLiteral(std::string_view text) {
  bool backslash = text.find('\\') != std::string_view::npos;
  std::string out = backslash ? "E'" : "'";
  for (char c : text) {
    if (c == '\'' || (backslash && c == '\\')) out += c;
    out += c;
  }
  return out + "'";
}

std::string SqlIdent(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += c;
    out += c;
  }
  return out + "\"";
}

}  // namespace pgstack::pg
