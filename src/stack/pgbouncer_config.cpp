#include "pgstack/stack/pgbouncer_config.h"

#include <fmt/format.h>

#include <set>

#include "pgstack/core/pgbouncer_files.h"
#include "pgstack/core/project_file.h"
#include "pgstack/core/settings.h"
#include "pgstack/core/template.h"

namespace pgstack::stack {
namespace {

// The environment's PgBouncer settings, each under its line of the table's documentation: the
// template holds one {{settings}} placeholder, so a setting is a row of the table and no more.
std::string SettingsBlock(const core::SettingList& settings) {
  std::string out;
  for (const auto& [name, value] : settings) {
    const core::SettingSpec* spec = core::FindSetting(core::Target::kPgBouncer, name);
    if (!out.empty()) out += "\n";
    if (spec) out += fmt::format(";; {}\n", spec->doc);
    out += fmt::format("{} = {}", name, value);
  }
  return out;  // the template's line break ends the last line
}

}  // namespace

std::string PgBouncerTemplatePath() {
  return core::ProjectFile("database/setup/pgbouncer-config.ini");
}

Result<std::string> RenderPgBouncerIni(const core::Environment& env, const PgBouncerLayout& l,
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
      {"settings", SettingsBlock(env.pgbouncer.settings)},
      {"read_pool", l.read_pool_hosts.empty()
                        ? std::string(";; no read pool: no replica runs")
                        : fmt::format("{}_ro = host={} port={} dbname={}", env.postgres.database,
                                      fmt::join(l.read_pool_hosts, ","), l.read_pool_port,
                                      env.postgres.database)},
  };
  return core::RenderTemplate(template_text, template_name, values);
}

bool PgBouncerNeedsRestart(const std::string& old_ini, const std::string& new_ini) {
  auto a = core::ParsePgBouncerIni(old_ini), b = core::ParsePgBouncerIni(new_ini);
  static const char* const kStartupOnly[] = {"listen_addr", "listen_port", "unix_socket_dir",
                                             "pidfile", "auth_type"};
  std::set<std::string> keys;
  for (const auto& [k, v] : a) keys.insert(k);
  for (const auto& [k, v] : b) keys.insert(k);
  for (const auto& k : keys) {
    if (a[k] == b[k]) continue;
    for (const char* s : kStartupOnly)
      if (k == s) return true;
    const core::SettingSpec* spec = core::FindSetting(core::Target::kPgBouncer, k);
    if (spec && spec->apply == core::Apply::kRestart) return true;
  }
  return false;
}

}  // namespace pgstack::stack
