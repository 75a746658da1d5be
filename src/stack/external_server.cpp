// External mode: what the administrator connection tells about the server and about itself,
// and whether that is enough for this run (version, privileges).
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <regex>

#include "external_internal.h"
#include "pgstack/core/postgres_major.h"
#include "pgstack/core/settings.h"
#include "pgstack/pg/error_class.h"

namespace pgstack::stack::external {
namespace {

// A text[] literal of names that need no quoting (setting and extension names).
std::string NameArray(const std::vector<std::string>& names) {
  std::string out = "{";
  for (size_t i = 0; i < names.size(); ++i) out += (i ? "," : "") + names[i];
  return out + "}";
}

// Runs a catalog read that needs a privilege the administrator may lack: nullopt then.
Result<std::optional<pg::QueryResult>> ExecIfAllowed(pg::Connection& c, std::string_view sql,
                                                     const pg::Params& params = {}) {
  auto r = c.Exec(sql, params);
  if (r.ok()) return std::optional<pg::QueryResult>(std::move(r).value());
  if (pg::Classify(r.status()) == pg::ErrorClass::kInsufficientPrivilege)
    return std::optional<pg::QueryResult>();
  return r.status();
}

Status ReadSettings(pg::Connection& admin, const core::Environment& env, ServerFacts& f) {
  std::vector<std::string> names;
  for (const auto& [name, value] : env.postgres.settings) names.push_back(name);
  PGSTACK_ASSIGN_OR_RETURN(
      auto rows, admin.Exec("SELECT name, current_setting(name) AS current, pending_restart, "
                            "has_parameter_privilege(name, 'ALTER SYSTEM') AS can_alter "
                            "FROM pg_settings WHERE name = ANY($1::text[])",
                            {NameArray(names)}));
  for (int i = 0; i < rows.rows(); ++i) {
    ServerSetting& s = f.settings[std::string(rows.get(i, "name"))];
    s.current = rows.get(i, "current");
    s.pending_restart = rows.get(i, "pending_restart") == "t";
    s.can_alter_system = rows.get(i, "can_alter") == "t";
  }
  for (const auto& name : names) {
    if (!f.settings.count(name))
      return Status::InvalidInput(fmt::format("the server does not know setting {}", name));
  }
  // The last file that sets a name wins; an entry the server rejected does not count, but one
  // waiting for a restart (listed with an error as well) does.
  PGSTACK_ASSIGN_OR_RETURN(
      auto files,
      ExecIfAllowed(admin,
                    "SELECT DISTINCT ON (name) name, setting, sourcefile FROM pg_file_settings f "
                    "WHERE name = ANY($1::text[]) AND (error IS NULL OR EXISTS "
                    "(SELECT FROM pg_settings s WHERE s.name = f.name AND s.pending_restart)) "
                    "ORDER BY name, seqno DESC",
                    {NameArray(names)}));
  f.file_settings_readable = files.has_value();
  for (int i = 0; files && i < files->rows(); ++i) {
    ServerSetting& s = f.settings[std::string(files->get(i, "name"))];
    s.file_value = files->get(i, "setting");
    s.file_source = files->get(i, "sourcefile");
  }
  return Status::Ok();
}

Status ReadExtensions(pg::Connection& admin, const OpenDb& open_db, const core::Environment& env,
                      ServerFacts& f) {
  const auto& wanted = env.postgres.extensions;
  PGSTACK_ASSIGN_OR_RETURN(auto avail,
                           admin.Exec("SELECT e.name, v.trusted FROM pg_available_extensions e "
                                      "JOIN pg_available_extension_versions v ON v.name = e.name "
                                      "AND v.version = e.default_version "
                                      "WHERE e.name = ANY($1::text[])",
                                      {NameArray(wanted)}));
  std::map<std::string, bool> trusted;
  for (int i = 0; i < avail.rows(); ++i)
    trusted[std::string(avail.get(i, "name"))] = avail.get(i, "trusted") == "t";
  std::vector<std::string> installed;
  if (f.db_exists) {
    PGSTACK_ASSIGN_OR_RETURN(auto db, open_db(env.postgres.database));
    PGSTACK_ASSIGN_OR_RETURN(
        auto res,
        db.Exec(
            "SELECT extname, has_database_privilege(current_database(), 'CREATE') AS can_create "
            "FROM pg_extension UNION ALL "
            "SELECT NULL, has_database_privilege(current_database(), 'CREATE')"));
    for (int i = 0; i < res.rows(); ++i) {
      if (!res.is_null(i, 0)) installed.emplace_back(res.get(i, 0));
      f.db_create = res.get(i, "can_create") == "t";
    }
  }
  for (const auto& ext : wanted) {
    if (std::find(installed.begin(), installed.end(), ext) != installed.end()) continue;
    f.extensions_to_create.push_back(ext);
    if (!trusted.count(ext))
      f.extensions_unavailable.push_back(ext);
    else if (!trusted[ext])
      f.extensions_untrusted.push_back(ext);
  }
  return Status::Ok();
}

}  // namespace

Result<ServerFacts> ReadServerFacts(pg::Connection& admin, const OpenDb& open_db,
                                    const core::Environment& env) {
  ServerFacts f;
  const core::PostgresConfig& pg = env.postgres;
  PGSTACK_ASSIGN_OR_RETURN(
      auto me,
      admin.Exec(
          "SELECT current_user AS me, r.rolsuper, r.rolcreaterole, r.rolcreatedb, "
          "current_setting('server_version') AS version, "
          "current_setting('server_version_num')::int AS version_num, "
          "current_setting('port')::int AS port, "
          "has_function_privilege('pg_reload_conf()', 'EXECUTE') AS can_reload, "
          "(SELECT pg_has_role(current_user, a.oid, 'MEMBER WITH ADMIN OPTION') "
          " FROM pg_roles a WHERE a.rolname = $1) AS role_admin, "
          "coalesce((SELECT pg_has_role(current_user, a.oid, 'SET') FROM pg_roles a "
          " WHERE a.rolname = $1), current_setting('createrole_self_grant') ~* 'set') AS role_set, "
          "coalesce((SELECT pg_has_role(current_user, a.oid, 'USAGE') FROM pg_roles a "
          " WHERE a.rolname = $1), current_setting('createrole_self_grant') ~* 'inherit') "
          " AS role_inherit, "
          "EXISTS (SELECT FROM pg_roles WHERE rolname = $1) AS role_exists, "
          "EXISTS (SELECT FROM pg_database WHERE datname = $2) AS db_exists "
          "FROM pg_roles r WHERE r.rolname = current_user",
          {pg.user, pg.database}));
  if (me.rows() != 1) return Status::Failure("cannot read the administrator's role");
  f.admin_user = me.get(0, "me");
  f.superuser = me.get(0, "rolsuper") == "t";
  f.createrole = me.get(0, "rolcreaterole") == "t";
  f.createdb = me.get(0, "rolcreatedb") == "t";
  f.version = me.get(0, "version");
  f.version_num = std::atoi(std::string(me.get(0, "version_num")).c_str());
  f.can_reload = me.get(0, "can_reload") == "t";
  f.port = std::atoi(std::string(me.get(0, "port")).c_str());
  f.role_exists = me.get(0, "role_exists") == "t";
  f.role_admin = me.get(0, "role_admin") == "t";
  f.role_set = me.get(0, "role_set") == "t";
  f.role_inherit = me.get(0, "role_inherit") == "t";
  f.db_exists = me.get(0, "db_exists") == "t";
  // Anything below relies on PostgreSQL 17's catalog; an older server is refused first.
  if (f.version_num / 10000 != core::kPostgresMajor) return f;
  // config_file and data_directory are visible to superusers and pg_read_all_settings only.
  PGSTACK_ASSIGN_OR_RETURN(
      auto paths,
      admin.Exec(
          "SELECT name, setting FROM pg_settings WHERE name IN ('config_file', 'data_directory')"));
  for (int i = 0; i < paths.rows(); ++i) {
    (paths.get(i, "name") == "config_file" ? f.config_file : f.data_directory) =
        paths.get(i, "setting");
  }
  PGSTACK_RETURN_IF_ERROR(ReadSettings(admin, env, f));
  PGSTACK_RETURN_IF_ERROR(ReadExtensions(admin, open_db, env, f));
  return f;
}

Status CheckServer(const ServerFacts& f, const core::Environment& env,
                   const std::vector<std::string>& alter_system, bool reload) {
  if (f.version_num / 10000 != core::kPostgresMajor) {
    return Status::InvalidInput(fmt::format("the server runs PostgreSQL {}, but pgstack needs {}.x",
                                            f.version, core::kPostgresMajor));
  }
  if (!f.extensions_unavailable.empty()) {
    return Status::InvalidInput(fmt::format(
        "extension {} is not available on the server (install PostgreSQL {}'s contrib modules)",
        f.extensions_unavailable.front(), core::kPostgresMajor));
  }
  if (f.superuser) return Status::Ok();
  const core::PostgresConfig& pg = env.postgres;
  auto missing = [&](const std::string& privilege, const std::string& why) {
    return Status::InvalidInput(
        fmt::format("the administrator role {} lacks {} ({}); connect as a superuser or grant it",
                    f.admin_user, privilege, why));
  };
  // Without superuser the stored verifier cannot be read, so the password is always set.
  if (!f.createrole) return missing("CREATEROLE", "to create or update role " + pg.user);
  if (f.role_exists && !f.role_admin)
    return missing("ADMIN OPTION on role " + pg.user, "to set its password");
  if (!f.db_exists && !f.createdb) return missing("CREATEDB", "to create database " + pg.database);
  // Since PostgreSQL 16 a CREATEROLE role gets only ADMIN OPTION on the roles it creates;
  // createrole_self_grant adds SET and INHERIT, which creating the database and its
  // extensions as that role's need.
  std::string self_grant =
      fmt::format("ALTER ROLE {} SET createrole_self_grant = 'set, inherit'", f.admin_user);
  std::string membership = f.role_exists ? fmt::format("GRANT {} TO {} WITH SET TRUE, INHERIT TRUE",
                                                       pg.user, f.admin_user)
                                         : self_grant;
  if (!f.db_exists && !f.role_set) {
    return missing("SET on role " + pg.user,
                   "to create database " + pg.database + " owned by it; " + membership);
  }
  if (!f.extensions_untrusted.empty()) {
    return missing("SUPERUSER", "extension " + f.extensions_untrusted.front() + " is not trusted");
  }
  // A database the role will own gives its members that inherit CREATE on it.
  bool can_create = f.db_exists ? f.db_create : f.role_inherit;
  if (!f.extensions_to_create.empty() && !can_create) {
    return missing("CREATE on database " + pg.database, "to create extension " +
                                                            f.extensions_to_create.front() +
                                                            (f.db_exists ? "" : "; " + membership));
  }
  for (const auto& name : alter_system) {
    auto it = f.settings.find(name);
    if (it == f.settings.end() || !it->second.can_alter_system)
      return missing("ALTER SYSTEM on parameter " + name, "to set it");
  }
  if (reload && !f.can_reload) return missing("EXECUTE on pg_reload_conf()", "to apply settings");
  return Status::Ok();
}

std::optional<std::vector<std::string>> RestartCommand(const std::string& config_file) {
  // Debian keeps cluster <name> of version 17 in /etc/postgresql/17/<name>/.
  static const std::regex kDebian(R"(^/etc/postgresql/17/([^/]+)/postgresql\.conf$)");
  std::smatch m;
  if (!std::regex_match(config_file, m, kDebian)) return std::nullopt;
  std::string cluster = m[1].str();
  for (const char* p : {"/usr/bin/pg_ctlcluster", "/usr/sbin/pg_ctlcluster"}) {
    if (access(p, X_OK) == 0) return std::vector<std::string>{p, "17", cluster, "restart"};
  }
  // systemctl is there in containers too; only a running systemd can restart a unit.
  if (access("/run/systemd/system", F_OK) == 0) {
    for (const char* p : {"/usr/bin/systemctl", "/bin/systemctl"}) {
      if (access(p, X_OK) == 0)
        return std::vector<std::string>{p, "restart", "postgresql@17-" + cluster};
    }
  }
  return std::nullopt;
}

}  // namespace pgstack::stack::external
