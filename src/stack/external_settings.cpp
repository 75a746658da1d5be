// External mode: where the server settings go (pgstack's file in the server's configuration
// folder, or ALTER SYSTEM), what changes, and applying it with pg_reload_conf().
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <regex>
#include <sstream>

#include "external_internal.h"
#include "pgstack/core/conf_value.h"
#include "pgstack/core/settings.h"
#include "pgstack/pg/reload.h"
#include "pgstack/pg/sql_literal.h"

namespace pgstack::stack::external {
namespace {

namespace fs = std::filesystem;

constexpr const char* kConfName = "pgstack.conf";

bool IsAutoConf(const std::string& sourcefile) {
  return fs::path(sourcefile).filename() == "postgresql.auto.conf";
}

bool Same(const std::string& name, const std::string& wanted, const std::string& actual) {
  const core::SettingSpec* spec = core::FindSetting(core::Target::kPostgres, name);
  return spec ? core::SameSettingValue(*spec, wanted, actual) : wanted == actual;
}

bool RestartOnly(const std::string& name) {
  const core::SettingSpec* spec = core::FindSetting(core::Target::kPostgres, name);
  return spec && spec->apply == core::Apply::kRestart;
}

}  // namespace

std::string Canonical(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(path, ec);
  return ec ? path : p.string();
}

std::vector<std::string> ParseIncludeDirs(const std::string& conf_text,
                                          const std::string& base_dir) {
  // include_dir 'dir' or include_dir = 'dir' (or unquoted), a # comment after it.
  static const std::regex kLine(R"(^\s*include_dir\s*=?\s*(?:'((?:[^']|'')*)'|([^\s#']+)))");
  std::vector<std::string> dirs;
  std::istringstream in(conf_text);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, kLine)) continue;
    std::string dir =
        m[1].matched ? std::regex_replace(m[1].str(), std::regex("''"), "'") : m[2].str();
    if (dir.empty()) continue;
    dirs.push_back(dir[0] == '/' ? dir : (fs::path(base_dir) / dir).string());
  }
  return dirs;
}

Result<SettingsTarget> ChooseSettingsTarget(const ConfDirFacts& f) {
  if (f.included) {
    if (f.writable) return SettingsTarget{.file = true};
    return SettingsTarget{.why = fmt::format("{} is not writable here", f.dir)};
  }
  if (!f.sibling_conf.empty() && !f.server_config_known) {
    return Status::InvalidInput(fmt::format(
        "cannot tell whether --pg-conf-dir {} belongs to this server: the administrator may not "
        "read its config file here (connect as a superuser, or pass the server's conf.d)",
        f.dir));
  }
  if (!f.sibling_conf.empty() && !f.sibling_is_server) {
    // A folder beside another postgresql.conf configures another server: writing there would
    // change that server, or nothing, silently.
    std::string server =
        f.config_file.empty() ? "" : fmt::format(" (its config file is {})", f.config_file);
    return Status::InvalidInput(fmt::format(
        "--pg-conf-dir {} belongs to another server: {} is not this server's config file{}", f.dir,
        f.sibling_conf, server));
  }
  if (!f.exists) return SettingsTarget{.why = fmt::format("{} does not exist", f.dir)};
  if (f.sibling_is_server) {
    return SettingsTarget{
        .why = fmt::format("{} does not include {} (add include_dir = '{}' to use it)",
                           f.config_file, f.dir, fs::path(f.dir).filename().string())};
  }
  if (!f.server_config_known) {
    return SettingsTarget{
        .why = fmt::format(
            "the server's config file cannot be read here, so {} may not be the server's", f.dir)};
  }
  return SettingsTarget{.why = fmt::format("the server does not read {}", f.dir)};
}

ConfDirFacts InspectConfDir(pg::Connection& admin, const ServerFacts& server,
                            const std::string& dir) {
  ConfDirFacts f;
  f.dir = dir;
  f.config_file = server.config_file;
  std::error_code ec;
  f.exists = fs::is_directory(dir, ec);
  f.writable = f.exists && access(dir.c_str(), W_OK) == 0;
  std::string sibling = (fs::path(Canonical(dir)).parent_path() / "postgresql.conf").string();
  if (fs::exists(sibling, ec)) f.sibling_conf = sibling;
  if (server.config_file.empty()) return f;
  // The server's view of its config file, when the administrator may read files; a file at the
  // same path here that differs belongs to another machine's server.
  std::optional<std::string> remote;
  if (auto r = admin.Exec("SELECT pg_read_file(current_setting('config_file'))"); r.ok())
    remote = r->scalar();
  auto local = core::ReadFileIfExists(server.config_file);
  bool local_ok = local.ok() && local->has_value();
  if (local_ok && remote && **local != *remote) {
    // The same path holds another file here: the server runs elsewhere, nothing here is its.
    f.server_config_known = true;
    return f;
  }
  std::optional<std::string> text =
      remote ? remote : (local_ok ? **local : std::optional<std::string>());
  if (!text) return f;
  f.server_config_known = true;
  f.config_here = local_ok;
  f.sibling_is_server = !f.sibling_conf.empty() && local_ok &&
                        Canonical(f.sibling_conf) == Canonical(server.config_file);
  std::string base = fs::path(server.config_file).parent_path().string();
  for (const auto& inc : ParseIncludeDirs(*text, base)) {
    if (f.exists && Canonical(inc) == Canonical(dir)) f.included = true;
  }
  return f;
}

std::string RenderExternalPgConf(const core::Environment& env) {
  std::string out = fmt::format(
      "# Written by pgstack from {} (environment {}): `pgstack up` rewrites this file and keeps\n"
      "# the previous version beside it as {}.<time>.bak. Change the config, not this file.\n",
      env.file, env.name, kConfName);
  for (const auto& [name, value] : env.postgres.settings)
    out += fmt::format("{} = {}\n", name, core::QuoteConfValue(value));
  return out;
}

Result<PlannedFile> PlanFile(std::string path, std::string content, mode_t mode,
                             std::optional<core::Owner> owner) {
  PlannedFile f{
      .path = std::move(path), .content = std::move(content), .mode = mode, .owner = owner};
  auto old = core::ReadFileIfExists(f.path);
  if (!old.ok()) return old.status().WithCode(Code::kInvalidInput);
  f.old = *old;
  struct stat st {};
  bool same_meta = f.old && ::stat(f.path.c_str(), &st) == 0 && (st.st_mode & 07777) == mode &&
                   (!owner || (st.st_uid == owner->uid && st.st_gid == owner->gid));
  f.changed = !f.old || *f.old != f.content || !same_meta;
  return f;
}

Result<std::string> WritePlannedFile(const PlannedFile& f) {
  std::string backup;
  // Even an empty file is kept: its owner and mode are worth having back.
  if (f.old) {
    PGSTACK_ASSIGN_OR_RETURN(backup, core::BackupFile(f.path));
  }
  PGSTACK_RETURN_IF_ERROR(core::WriteFileAtomic(f.path, f.content, f.mode, f.owner));
  return backup;
}

Result<SettingsPlan> PlanSettings(const ServerFacts& f, const core::Environment& env,
                                  const SettingsTarget& target, const std::string& conf_dir) {
  SettingsPlan plan;
  plan.target = target;
  const core::SettingList& wanted = env.postgres.settings;
  if (target.file) {
    // The server reads files as their owner; pgstack.conf is given to the folder's owner.
    std::optional<core::Owner> owner;
    struct stat st {};
    if (geteuid() == 0 && ::stat(conf_dir.c_str(), &st) == 0)
      owner = core::Owner{st.st_uid, st.st_gid};
    PGSTACK_ASSIGN_OR_RETURN(plan.file, PlanFile((fs::path(conf_dir) / kConfName).string(),
                                                 RenderExternalPgConf(env), 0644, owner));
    plan.reload = plan.file->changed;
  }
  auto alter = [&plan](const std::string& name, const ServerSetting& s, const std::string& sql) {
    // What postgresql.auto.conf held for it before, to put back if a later statement fails.
    std::string undo =
        s.file_value && IsAutoConf(s.file_source)
            ? fmt::format("ALTER SYSTEM SET {} = {}", name, pg::SqlLiteral(*s.file_value))
            : "ALTER SYSTEM RESET " + name;
    plan.statements.push_back({sql, sql});
    plan.undo.push_back({undo, undo});
    plan.alter_system_names.push_back(name);
    plan.reload = true;
  };
  for (const auto& [name, value] : wanted) {
    const ServerSetting& s = f.settings.at(name);
    // What the files will give it after a reload; without pg_file_settings, what is in effect.
    std::string configured = s.file_value.value_or(s.current);
    // Without pg_file_settings a value waiting for a restart cannot be read; it is taken to be
    // the one a previous run set, so that a rerun does not set it again and again.
    if (!f.file_settings_readable && s.pending_restart) configured = value;
    if (target.file) {
      // postgresql.auto.conf is read last: a value left there by ALTER SYSTEM would win.
      if (s.file_value && IsAutoConf(s.file_source) && !Same(name, value, *s.file_value))
        alter(name, s, "ALTER SYSTEM RESET " + name);
      if (!Same(name, value, configured)) plan.changed.push_back(name);
    } else if (!Same(name, value, configured)) {
      alter(name, s, fmt::format("ALTER SYSTEM SET {} = {}", name, pg::SqlLiteral(value)));
      plan.changed.push_back(name);
    }
    if (RestartOnly(name) && !Same(name, value, s.current)) plan.restart_pending.push_back(name);
  }
  return plan;
}

Result<std::vector<std::string>> PendingRestart(pg::Connection& admin,
                                                const core::Environment& env) {
  std::vector<std::string> pending;
  for (const auto& [name, value] : env.postgres.settings) {
    if (!RestartOnly(name)) continue;
    PGSTACK_ASSIGN_OR_RETURN(auto cur, admin.Exec("SELECT current_setting($1)", {name}));
    if (!Same(name, value, cur.scalar())) pending.push_back(name);
  }
  return pending;
}

Result<std::vector<std::string>> ReloadServer(pg::Connection& admin, const core::Environment& env,
                                              std::vector<std::string>& notes) {
  PGSTACK_RETURN_IF_ERROR(pg::ReloadConfiguration(admin));
  // A file the server rejected leaves the old values in effect: that is a failed run. A
  // restart-only setting that changed is listed with an error too; it waits for the restart.
  if (auto bad = admin.Exec(
          "SELECT sourcefile || ':' || sourceline || ': ' || coalesce(name || ': ', '') || error "
          "FROM pg_file_settings f WHERE error IS NOT NULL AND NOT EXISTS "
          "(SELECT FROM pg_settings s WHERE s.name = f.name AND s.pending_restart) LIMIT 1");
      bad.ok() && bad->rows() > 0) {
    return Status::Failure("PostgreSQL rejected its configuration: " + bad->scalar());
  }
  for (const auto& [name, value] : env.postgres.settings) {
    if (RestartOnly(name)) continue;
    PGSTACK_ASSIGN_OR_RETURN(
        auto cur,
        admin.Exec(
            "SELECT current_setting(name) AS v, coalesce(sourcefile || ':' || sourceline, source) "
            "AS origin FROM pg_settings WHERE name = $1",
            {name}));
    if (!Same(name, value, std::string(cur.get(0, "v")))) {
      notes.push_back(fmt::format("{} is {}, not {}: {} overrides it", name, cur.get(0, "v"), value,
                                  cur.get(0, "origin")));
    }
  }
  return PendingRestart(admin, env);
}

}  // namespace pgstack::stack::external
