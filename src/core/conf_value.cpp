#include "pgstack/core/conf_value.h"

namespace pgstack::core {

std::string QuoteConfValue(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += c;
    out += c;
  }
  return out + "'";
}

std::string QuoteConfListElement(std::string_view element) {
  if (!element.empty() && element.find_first_of(", \t\"") == std::string_view::npos)
    return std::string(element);
  std::string out = "\"";
  for (char c : element) {
    if (c == '"') out += c;
    out += c;
  }
  return out + "\"";
}

}  // namespace pgstack::core
