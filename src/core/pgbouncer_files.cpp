#include "pgstack/core/pgbouncer_files.h"

#include <vector>

namespace pgstack::core {

std::string RenderUserlist(const std::string& user, const std::string& verifier) {
  auto quote = [](const std::string& s) {
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
  };
  return quote(user) + " " + quote(verifier) + "\n";
}

std::optional<std::pair<std::string, std::string>> ParseUserlistLine(std::string_view line) {
  std::vector<std::string> fields;
  size_t i = 0;
  while (fields.size() < 2) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size() || line[i] != '"') return std::nullopt;
    std::string field;
    for (++i;; ++i) {
      if (i >= line.size()) return std::nullopt;
      if (line[i] != '"') {
        field += line[i];
      } else if (i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else {
        ++i;
        break;
      }
    }
    fields.push_back(field);
  }
  return std::make_pair(fields[0], fields[1]);
}

std::optional<std::string> UserlistSecret(std::string_view userlist, std::string_view user) {
  while (!userlist.empty()) {
    size_t nl = userlist.find('\n');
    auto fields = ParseUserlistLine(userlist.substr(0, nl));
    if (fields && fields->first == user) return fields->second;
    userlist.remove_prefix(nl == std::string_view::npos ? userlist.size() : nl + 1);
  }
  return std::nullopt;
}

std::map<std::string, std::string> ParsePgBouncerIni(const std::string& text) {
  std::map<std::string, std::string> out;
  bool in_section = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    auto trim = [](const std::string& s) {
      size_t a = s.find_first_not_of(" \t\r"), b = s.find_last_not_of(" \t\r");
      return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
    };
    line = trim(line);
    if (line.empty() || line[0] == ';' || line[0] == '#') continue;
    if (line[0] == '[') {
      in_section = line == "[pgbouncer]";
      continue;
    }
    size_t eq = line.find('=');
    if (!in_section || eq == std::string::npos) continue;
    out[trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
  }
  return out;
}

}  // namespace pgstack::core
