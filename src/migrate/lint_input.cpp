// What `migrate lint` reads besides a migrations directory: single files named on the command
// line, and the rules switched off for a directory (its `.pgstack-lint` file, the config).
#include <fmt/format.h>

#include <sstream>

#include "config_dir.h"
#include "format_table.h"
#include "pgstack/core/files.h"
#include "pgstack/migrate/lint.h"

namespace pgstack::migrate {

Result<Migration> ReadLintFile(const std::string& path) {
  PGSTACK_ASSIGN_OR_RETURN(std::string content, internal::ReadMigrationFile(path));
  Migration m;
  m.name = path;
  if (const internal::FormatSpec* spec = internal::SectionedFormatOf(content)) {
    const internal::SectionMarkers& markers = spec->markers;
    auto sections = internal::SplitSections(content, markers.up, markers.down);
    if (!sections) return Status::InvalidInput(fmt::format("{}:1: no '{}' line", path, markers.up));
    PGSTACK_ASSIGN_OR_RETURN(
        m.up_options, markers.options(sections->up.options,
                                      fmt::format("{}:{}", path, sections->up.first_line - 1)));
    PGSTACK_ASSIGN_OR_RETURN(
        m.up, internal::MakeSqlText(path, sections->up.text, sections->up.first_line));
    return m;
  }
  // sqlx's directive on the first line, as the directory reader takes it.
  m.up_options.no_transaction = internal::StartsWith(content, "-- no-transaction");
  PGSTACK_ASSIGN_OR_RETURN(m.up, internal::MakeSqlText(path, std::move(content), 1));
  return m;
}

Result<std::set<std::string>> DisabledRulesOf(const std::string& dir) {
  std::string path = dir + "/.pgstack-lint";
  PGSTACK_ASSIGN_OR_RETURN(auto text, core::ReadFileIfExists(path));
  std::set<std::string> out;
  if (!text) return out;
  std::istringstream in(*text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    line = line.substr(0, line.find('#'));
    std::string compact;
    for (char c : line) {
      if (c != ' ' && c != '\t' && c != '\r') compact += c;
    }
    if (compact.empty()) continue;
    if (!internal::StartsWith(compact, "disable=")) {
      return Status::InvalidInput(
          fmt::format("{}:{}: expected 'disable = RULE[, RULE...]'", path, n));
    }
    std::stringstream rules(compact.substr(8));
    std::string rule;
    while (std::getline(rules, rule, ',')) {
      if (rule.empty()) continue;
      auto known = ParseLintRuleId(rule);
      if (!known.ok()) return known.status().WithContext(fmt::format("{}:{}", path, n));
      out.insert(rule);
    }
  }
  return out;
}

Result<std::set<std::string>> ConfigDisabledRules(const core::MigrateConfig& config,
                                                  const std::string& config_file,
                                                  const std::string& dir) {
  std::set<std::string> out;
  for (const auto& [key, rules] : config.lint_disable) {
    if (!internal::ConfigKeyNamesDir(key, dir, config_file)) continue;
    for (const std::string& rule : rules) {
      auto known = ParseLintRuleId(rule);
      if (!known.ok()) {
        return known.status().WithContext(
            fmt::format("{}: migrate.lint_disable.{}", config_file, key));
      }
      out.insert(rule);
    }
  }
  return out;
}

}  // namespace pgstack::migrate
