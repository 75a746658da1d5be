// The pieces of external mode (external.h), shared by its files and unit-tested on their own:
// what the server says about itself (external_server.cpp), where settings go and what changes
// (external_settings.cpp), and PgBouncer's files and reload (external_pgbouncer.cpp).
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pgstack/core/config.h"
#include "pgstack/core/files.h"
#include "pgstack/core/os.h"
#include "pgstack/core/process.h"
#include "pgstack/core/status.h"
#include "pgstack/pg/connection.h"
#include "pgstack/stack/external.h"

namespace pgstack::stack::external {

using OpenDb = std::function<Result<pg::Connection>(const std::string&)>;

// One configured PostgreSQL setting as the server has it.
struct ServerSetting {
  std::string current;  // current_setting(): what is in effect now
  bool pending_restart = false;
  bool can_alter_system = false;  // has_parameter_privilege(.., 'ALTER SYSTEM')
  // The last value the configuration files give it (pg_file_settings; superusers only), and
  // the file. nullopt when no file sets it or the view is not readable.
  std::optional<std::string> file_value;
  std::string file_source;
};

// What the administrator connection tells about the server and about itself, read once before
// anything changes.
struct ServerFacts {
  std::string version;  // server_version, "17.10"
  int version_num = 0;  // server_version_num, 170010
  std::string admin_user;
  int port = 0;  // the server's own port setting
  bool superuser = false;
  bool createrole = false;
  bool createdb = false;
  bool role_exists = false;
  bool role_admin = false;  // ADMIN OPTION on the application role (to set its password)
  // May SET ROLE to the application role (to create a database it owns): a membership with
  // SET, or createrole_self_grant including "set" for a role this run creates.
  bool role_set = false;
  // Inherits the application role's privileges (USAGE), likewise: then it may create extensions
  // in the database that role owns.
  bool role_inherit = false;
  bool db_exists = false;
  bool db_create = false;   // CREATE on the application database (for trusted extensions)
  bool can_reload = false;  // EXECUTE on pg_reload_conf()
  std::vector<std::string> extensions_to_create;  // configured, not in the database yet
  std::vector<std::string> extensions_unavailable;
  std::vector<std::string> extensions_untrusted;  // only a superuser may create these
  std::string config_file;                        // "" when the administrator may not read it
  std::string data_directory;                     // "" likewise
  bool file_settings_readable = false;            // pg_file_settings (superusers, by default)
  std::map<std::string, ServerSetting> settings;  // the environment's settings, by name
};

Result<ServerFacts> ReadServerFacts(pg::Connection& admin, const OpenDb& open_db,
                                    const core::Environment& env);

// Bad input about the server: not 17.x, or an administrator without a privilege this run
// needs (named). alter_system: settings that would go through ALTER SYSTEM; reload: whether
// pg_reload_conf() will be called.
Status CheckServer(const ServerFacts& f, const core::Environment& env,
                   const std::vector<std::string>& alter_system, bool reload);

// How to restart this server (pg_ctlcluster for a Debian cluster, else systemd's unit for it),
// or nullopt where pgstack cannot. argv[0] is absolute.
std::optional<std::vector<std::string>> RestartCommand(const std::string& config_file);

// ---- Settings (external_settings.cpp)

// path with symlinks and dot segments resolved as far as it exists, to compare two paths.
std::string Canonical(const std::string& path);

// The include_dir directives of a postgresql.conf, made absolute against base_dir.
std::vector<std::string> ParseIncludeDirs(const std::string& conf_text,
                                          const std::string& base_dir);

// What is known about --pg-conf-dir, for the decision below (a pure function, unit-tested).
struct ConfDirFacts {
  std::string dir;  // as given
  bool exists = false;
  bool writable = false;
  bool included = false;             // the server's config file pulls it in with include_dir
  bool server_config_known = false;  // the server's config file could be read here
  std::string sibling_conf;          // dir/../postgresql.conf when it exists, else ""
  bool sibling_is_server = false;    // ... and it is the server's own config_file
  bool config_here = false;          // the server's config file is on this machine (it runs here)
  std::string config_file;           // the server's, for messages
};
struct SettingsTarget {
  bool file = false;  // write <dir>/pgstack.conf; else ALTER SYSTEM
  std::string why;    // for the report when ALTER SYSTEM is used
};
Result<SettingsTarget> ChooseSettingsTarget(const ConfDirFacts& f);
// Looks at the disk (and the server's config file, as the server reads it) for
// ChooseSettingsTarget.
ConfDirFacts InspectConfDir(pg::Connection& admin, const ServerFacts& server,
                            const std::string& dir);

// pgstack.conf for the server's configuration folder.
std::string RenderExternalPgConf(const core::Environment& env);

struct Statement {
  std::string sql;
  std::string shown;  // what may be printed
};

// A file pgstack would write: its old content (nullopt when missing) and the new one.
struct PlannedFile {
  std::string path;
  std::optional<std::string> old;
  std::string content;
  mode_t mode = 0644;
  std::optional<core::Owner> owner;
  bool changed = false;  // content, mode or owner differ
};
// Fills in old and changed from the disk.
Result<PlannedFile> PlanFile(std::string path, std::string content, mode_t mode,
                             std::optional<core::Owner> owner);
// Backs up the old file (when there was one) and writes the new one atomically; returns the
// backup's path, "" when there was nothing to back up.
Result<std::string> WritePlannedFile(const PlannedFile& f);

struct SettingsPlan {
  SettingsTarget target;
  std::optional<PlannedFile> file;    // target.file
  std::vector<Statement> statements;  // ALTER SYSTEM SET/RESET
  std::vector<Statement> undo;  // per statement: what puts postgresql.auto.conf back as it was
  std::vector<std::string> alter_system_names;  // settings the statements touch
  std::vector<std::string> changed;             // settings whose configured value changes
  bool reload = false;                          // pg_reload_conf() needed
  std::vector<std::string> restart_pending;     // restart-only settings not in effect yet
};
Result<SettingsPlan> PlanSettings(const ServerFacts& f, const core::Environment& env,
                                  const SettingsTarget& target, const std::string& conf_dir);

// After the change: pg_reload_conf(), waits (bounded) until the server has re-read its files,
// fails on a file the server rejected, notes settings that something else still overrides,
// and returns the settings still waiting for a restart.
Result<std::vector<std::string>> ReloadServer(pg::Connection& admin, const core::Environment& env,
                                              std::vector<std::string>& notes);
// The environment's restart-only settings not in effect yet.
Result<std::vector<std::string>> PendingRestart(pg::Connection& admin,
                                                const core::Environment& env);

// ---- PgBouncer (external_pgbouncer.cpp)

// The userlist with role's entry set to verifier; other roles' lines are kept as they were.
std::string MergeUserlist(const std::optional<std::string>& old, const std::string& role,
                          const std::string& verifier);
// The text with the keys of every SCRAM verifier replaced by ********, for printing.
std::string RedactVerifiers(const std::string& text);

struct PgBouncerPlan {
  std::string dir;
  std::string user;  // PgBouncer's OS user, owner of both files
  PlannedFile ini;
  PlannedFile userlist;
  std::string pidfile;
};
// Checks --pgbouncer-dir (exists, writable, files readable) and PgBouncer's user; reads the
// existing files. The userlist is rendered later, once the verifier is known.
Result<PgBouncerPlan> PreparePgBouncer(const core::Environment& env, const std::string& dir);
Status PlanUserlist(PgBouncerPlan& plan, const core::Environment& env, const std::string& verifier);

// Writes the changed files (backups first), then RELOADs a running PgBouncer; fills the report.
Status ApplyPgBouncer(const PgBouncerPlan& plan, const core::Environment& env, bool restart,
                      core::ProcessRunner& runner, ExternalReport& report);

}  // namespace pgstack::stack::external
