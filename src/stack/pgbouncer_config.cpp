#include "pgstack/pgbouncer_config.h"

#include <fmt/format.h>

#include <set>
#include <vector>

#include "internal.h"
#include "pgstack/settings.h"
#include "pgstack/template.h"

namespace pgstack {

std::string PgBouncerTemplatePath() { return stack::ProjectFile("database/setup/pgbouncer-config.ini"); }

Result<std::string> RenderPgBouncerIni(const Environment& env, const PgBouncerLayout& l,
                                       const std::string& template_text,
                                       const std::string& template_name) {
  std::map<std::string, std::string> values = {
      {"database", env.postgres.database},
      {"server_host", l.server_host},
      {"server_port", std::to_string(l.server_port)},
      {"listen_addr", env.pgbouncer.listen_addr},
      {"listen_port", std::to_string(l.listen_port)},
      {"unix_socket_dir", l.unix_socket_dir},
      {"auth_file", l.auth_file},
      {"logfile", l.logfile},
      {"pidfile", l.pidfile},
  };
  for (const auto& [k, v] : env.pgbouncer.settings) values[k] = v;
  return RenderTemplate(template_text, template_name, values);
}

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

std::map<std::string, std::string> ParsePgBouncerIni(const std::string& text) {
  std::map<std::string, std::string> out;
  bool in_section = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    auto trim = [](std::string s) {
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

bool PgBouncerNeedsRestart(const std::string& old_ini, const std::string& new_ini) {
  auto a = ParsePgBouncerIni(old_ini), b = ParsePgBouncerIni(new_ini);
  static const char* const kStartupOnly[] = {"listen_addr", "listen_port", "unix_socket_dir",
                                             "pidfile", "auth_type"};
  std::set<std::string> keys;
  for (const auto& [k, v] : a) keys.insert(k);
  for (const auto& [k, v] : b) keys.insert(k);
  for (const auto& k : keys) {
    if (a[k] == b[k]) continue;
    for (const char* s : kStartupOnly) if (k == s) return true;
    const SettingSpec* spec = FindSetting(Target::kPgBouncer, k);
    if (spec && spec->apply == Apply::kRestart) return true;
  }
  return false;
}

}  // namespace pgstack
