#include "pgstack/migrate/flyway_placeholders.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <filesystem>

#include "pgstack/migrate/sql_lexer.h"

extern char** environ;

namespace pgstack::migrate {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::vector<std::string> ProcessEnvironment() {
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) out.emplace_back(*e);
  return out;
}

std::string LocalTimestamp() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

}  // namespace

FlywayPlaceholders MakeFlywayPlaceholders(const std::map<std::string, std::string>& configured,
                                          const FlywayContext& context,
                                          const std::optional<std::vector<std::string>>& env) {
  FlywayPlaceholders p;
  for (const auto& [k, v] : configured) p.values[Lower(k)] = v;
  constexpr std::string_view kPrefix = "FLYWAY_PLACEHOLDERS_";
  for (const auto& kv : env ? *env : ProcessEnvironment()) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq <= kPrefix.size() || kv.compare(0, kPrefix.size(), kPrefix))
      continue;
    p.values[Lower(std::string_view(kv).substr(kPrefix.size(), eq - kPrefix.size()))] =
        kv.substr(eq + 1);
  }
  auto builtin = [&](std::string_view name, const std::string& value) {
    if (!value.empty()) p.values["flyway:" + Lower(name)] = value;
  };
  builtin("defaultSchema", context.default_schema);
  builtin("user", context.user);
  builtin("database", context.database);
  builtin("timestamp", LocalTimestamp());
  std::error_code ec;
  builtin("workingDirectory", std::filesystem::current_path(ec).string());
  builtin("table", context.table);
  builtin("environment", context.environment);
  return p;
}

Result<std::string> SubstituteFlywayPlaceholders(const std::string& path, std::string_view text,
                                                 const FlywayPlaceholders& placeholders) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (true) {
    size_t open = text.find("${", pos);
    if (open == std::string_view::npos) break;
    out.append(text.substr(pos, open - pos));
    auto where = [&] {
      LineColumn lc = LineColumnAt(text, open);
      return fmt::format("{}:{}:{}", path, lc.line, lc.column);
    };
    size_t close = text.find('}', open + 2);
    if (close == std::string_view::npos) {
      return Status::InvalidInput(where() +
                                  ": a Flyway placeholder '${' without its '}' (Flyway reads "
                                  "${name} up to the next '}')");
    }
    std::string_view name = text.substr(open + 2, close - open - 2);
    std::string key = Lower(name);
    if (key == "flyway:filename") {
      out += std::filesystem::path(path).filename().string();
    } else if (auto it = placeholders.values.find(key); it != placeholders.values.end()) {
      out += it->second;
    } else if (key.rfind("flyway:", 0) == 0) {
      return Status::InvalidInput(fmt::format(
          "{}: no value for Flyway's built-in placeholder ${{{}}} here", where(), name));
    } else {
      std::string env_name = key;
      std::transform(env_name.begin(), env_name.end(), env_name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      return Status::InvalidInput(
          fmt::format("{}: no value for the Flyway placeholder ${{{}}} (set \"migrate\": "
                      "{{\"flyway_placeholders\": {{\"{}\": ...}}}} in the config, or "
                      "FLYWAY_PLACEHOLDERS_{})",
                      where(), name, key, env_name));
    }
    pos = close + 1;
  }
  out.append(text.substr(pos));
  return out;
}

}  // namespace pgstack::migrate
