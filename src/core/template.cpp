#include "pgstack/core/template.h"

#include <fmt/format.h>

#include <set>

namespace pgstack::core {

Result<std::string> RenderTemplate(const std::string& text, const std::string& source,
                                   const std::map<std::string, std::string>& values) {
  std::string out;
  std::set<std::string> used;
  size_t pos = 0;
  int line = 1;
  while (pos < text.size()) {
    size_t open = text.find("{{", pos);
    size_t stop = open == std::string::npos ? text.size() : open;
    for (size_t i = pos; i < stop; ++i) line += text[i] == '\n';
    out.append(text, pos, stop - pos);
    if (open == std::string::npos) break;
    size_t close = text.find("}}", open);
    if (close == std::string::npos || text.find('\n', open) < close)
      return Status::InvalidInput(fmt::format("{}:{}: unclosed {{{{ placeholder", source, line));
    std::string name = text.substr(open + 2, close - open - 2);
    auto it = values.find(name);
    if (it == values.end())
      return Status::InvalidInput(
          fmt::format("{}:{}: no value for {{{{{}}}}}", source, line, name));
    out += it->second;
    used.insert(name);
    pos = close + 2;
  }
  for (const auto& [name, v] : values) {
    if (!used.count(name))
      return Status::InvalidInput(
          fmt::format("{}: has no {{{{{}}}}} placeholder for a configured setting", source, name));
  }
  return out;
}

}  // namespace pgstack::core
