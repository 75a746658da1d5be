// External mode: PgBouncer's pgbouncer.ini and userlist.txt in the system's folder, and applying
// them to a PgBouncer that runs (the admin console's RELOAD).
#include <fmt/format.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <regex>
#include <sstream>

#include "external_internal.h"
#include "pgbouncer_process.h"
#include "pgstack/core/pgbouncer_files.h"
#include "pgstack/pg/error_class.h"
#include "pgstack/stack/pgbouncer_config.h"

namespace pgstack::stack::external {
namespace {

namespace fs = std::filesystem;

// Where Debian's pgbouncer package keeps its log, pidfile and socket; an existing
// pgbouncer.ini's own choices win over these.
constexpr const char* kLogfile = "/var/log/postgresql/pgbouncer.log";
constexpr const char* kPidfile = "/var/run/postgresql/pgbouncer.pid";
constexpr const char* kSocketDir = "/var/run/postgresql";

bool SystemdRunning() { return access("/run/systemd/system", F_OK) == 0; }

std::string StartHint(const PgBouncerPlan& plan) {
  if (SystemdRunning()) return "systemctl start pgbouncer";
  std::string cmd = fmt::format("pgbouncer -d {}", plan.ini.path);
  return core::CurrentOsUser().name == plan.user ? cmd
                                                 : fmt::format("sudo -u {} {}", plan.user, cmd);
}

// RELOAD through the admin console, as the application role (it is in admin_users), when the
// PgBouncer listening there reads our pgbouncer.ini. Returns what happened, or why not.
Result<Action> ConsoleReload(const PgBouncerPlan& plan, const core::Environment& env) {
  pg::ConnParams p{.host = env.pgbouncer.listen_addr,
                   .port = env.pgbouncer.port,
                   .user = env.postgres.user,
                   .dbname = "pgbouncer",
                   .password = env.postgres.password,
                   .connect_timeout_s = 5};
  PGSTACK_ASSIGN_OR_RETURN(auto console, pg::Connection::Open(p));
  PGSTACK_ASSIGN_OR_RETURN(auto config, console.Exec("SHOW CONFIG"));
  int key = config.column("key"), value = config.column("value");
  std::string conffile;
  for (int i = 0; key >= 0 && value >= 0 && i < config.rows(); ++i) {
    if (config.get(i, key) == "conffile") conffile = config.get(i, value);
  }
  if (Canonical(conffile) != Canonical(plan.ini.path)) {
    return Status::InvalidInput(fmt::format("the PgBouncer on {}:{} reads {}, not {}", p.host,
                                            p.port, conffile, plan.ini.path));
  }
  PGSTACK_RETURN_IF_ERROR(console.Run("RELOAD"));
  return Action{ActionVerb::kReloaded,
                fmt::format("PgBouncer on {}:{} (admin console RELOAD)", p.host, p.port)};
}

}  // namespace

std::string MergeUserlist(const std::optional<std::string>& old, const std::string& role,
                          const std::string& verifier) {
  std::string entry = core::RenderUserlist(role, verifier);
  if (!old || old->empty()) return entry;
  std::string out;
  bool replaced = false;
  std::istringstream in(*old);
  for (std::string line; std::getline(in, line);) {
    auto fields = core::ParseUserlistLine(line);
    if (fields && fields->first == role) {
      if (!replaced) out += entry;
      replaced = true;
    } else {
      out += line + "\n";
    }
  }
  if (!replaced) out += entry;
  return out;
}

std::string RedactVerifiers(const std::string& text) {
  // SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>: the keys allow an offline
  // guess of the password; iterations and salt are not secret and show that it changed.
  static const std::regex kKeys(
      R"((SCRAM-SHA-256\$\d+:[A-Za-z0-9+/=]+)\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+)");
  return std::regex_replace(text, kKeys, "$1$$********");
}

Result<PgBouncerPlan> PreparePgBouncer(const core::Environment& env, const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Status::InvalidInput(fmt::format(
        "--pgbouncer-dir {} is not a folder (is PgBouncer installed? create it first)", dir));
  }
  if (access(dir.c_str(), W_OK) != 0) {
    return Status::InvalidInput(fmt::format(
        "--pgbouncer-dir {} is not writable by {}: run pgstack as root or as the folder's owner",
        dir, core::CurrentOsUser().name));
  }
  PgBouncerPlan plan;
  plan.dir = dir;
  // Debian runs PgBouncer as postgres; elsewhere the folder's owner is the best guess. Only
  // root can give files away, so a folder of the user running pgstack stays that user's.
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return Status::InvalidInput(dir + ": cannot stat");
  core::Owner owner{st.st_uid, st.st_gid};
  auto pg = core::LookupOsUser("postgres");
  if (pg.ok() && (geteuid() == 0 || geteuid() == pg->uid)) {
    owner = core::Owner{pg->uid, pg->gid};
    plan.user = pg->name;
  } else {
    const passwd* pw = getpwuid(owner.uid);
    plan.user = pw ? pw->pw_name : std::to_string(owner.uid);
  }
  if (geteuid() != 0 && geteuid() != owner.uid) {
    return Status::InvalidInput(
        fmt::format("userlist.txt must belong to PgBouncer's user {}: run pgstack as root or as {}",
                    plan.user, plan.user));
  }
  std::string ini_path = (fs::path(dir) / "pgbouncer.ini").string();
  std::string userlist_path = (fs::path(dir) / "userlist.txt").string();
  auto old_ini = core::ReadFileIfExists(ini_path);
  if (!old_ini.ok()) return old_ini.status().WithCode(Code::kInvalidInput);
  auto kept = core::ParsePgBouncerIni(old_ini->value_or(""));
  auto keep = [&](const char* key, const char* fallback) {
    auto it = kept.find(key);
    return it != kept.end() && !it->second.empty() ? it->second : std::string(fallback);
  };
  PgBouncerLayout layout{.server_host = env.postgres.host,
                         .server_port = env.postgres.port,
                         .listen_port = env.pgbouncer.port,
                         .unix_socket_dir = keep("unix_socket_dir", kSocketDir),
                         .auth_file = userlist_path,
                         .logfile = keep("logfile", kLogfile),
                         .pidfile = keep("pidfile", kPidfile)};
  plan.pidfile = layout.pidfile;
  std::string tmpl_path = PgBouncerTemplatePath();
  PGSTACK_ASSIGN_OR_RETURN(auto tmpl, core::ReadFileIfExists(tmpl_path));
  if (!tmpl) return Status::InvalidInput(tmpl_path + ": PgBouncer template missing");
  PGSTACK_ASSIGN_OR_RETURN(std::string ini, RenderPgBouncerIni(env, layout, *tmpl, tmpl_path));
  PGSTACK_ASSIGN_OR_RETURN(plan.ini, PlanFile(ini_path, ini, 0640, owner));
  PGSTACK_ASSIGN_OR_RETURN(plan.userlist, PlanFile(userlist_path, "", 0600, owner));
  return plan;
}

Status PlanUserlist(PgBouncerPlan& plan, const core::Environment& env,
                    const std::string& verifier) {
  std::string content = MergeUserlist(plan.userlist.old, env.postgres.user, verifier);
  PGSTACK_ASSIGN_OR_RETURN(plan.userlist,
                           PlanFile(plan.userlist.path, content, 0600, plan.userlist.owner));
  return Status::Ok();
}

Status ApplyPgBouncer(const PgBouncerPlan& plan, const core::Environment& env, bool restart,
                      core::ProcessRunner& runner, ExternalReport& report) {
  bool changed = false;
  // The userlist first: a PgBouncer reloaded between the two writes then still knows the role.
  for (const PlannedFile* f : {&plan.userlist, &plan.ini}) {
    if (!f->changed) continue;
    PGSTACK_ASSIGN_OR_RETURN(std::string backup, WritePlannedFile(*f));
    Action wrote{ActionVerb::kWrote,
                 fmt::format("{} (mode {:04o}, owner {})", f->path, f->mode, plan.user)};
    if (!backup.empty()) {
      report.backups.push_back(backup);
      wrote.detail += ", previous version kept as " + backup;
    }
    report.actions.push_back(wrote);
    changed = true;
  }
  pid_t pid = PgBouncerPid(plan.pidfile);
  bool listening = core::PortInUse(env.pgbouncer.listen_addr, env.pgbouncer.port);
  if (pid == 0 && !listening) {
    report.notes.push_back(
        fmt::format("PgBouncer is not running: start it with `{}`", StartHint(plan)));
    return Status::Ok();
  }
  if (!changed) return Status::Ok();
  bool needs_restart = PgBouncerNeedsRestart(plan.ini.old.value_or(""), plan.ini.content);
  if (needs_restart && restart && SystemdRunning()) {
    PGSTACK_ASSIGN_OR_RETURN(
        auto out, runner.Run(core::Command{.argv = {"/usr/bin/systemctl", "restart", "pgbouncer"},
                                           .timeout_s = 60}));
    if (out.exit_code != 0)
      return Status::Failure("systemctl restart pgbouncer failed: " + out.output);
    report.actions.push_back({ActionVerb::kRestarted, "PgBouncer (systemctl restart pgbouncer)"});
    return Status::Ok();
  }
  auto reloaded = ConsoleReload(plan, env);
  if (reloaded.ok()) {
    report.actions.push_back(*reloaded);
  } else if (pid != 0 && kill(pid, SIGHUP) == 0) {
    // The usual reason: the role's password changed, and PgBouncer checks the console login
    // against the userlist it read before.
    bool refused = pg::Classify(reloaded.status()) == pg::ErrorClass::kInvalidPassword;
    report.actions.push_back(
        {ActionVerb::kReloaded,
         fmt::format("PgBouncer (SIGHUP to pid {}: {})", pid,
                     refused ? "its admin console knows only the role's previous password"
                             : "admin console: " + reloaded.status().message())});
  } else {
    report.notes.push_back(fmt::format(
        "PgBouncer was not reloaded ({}): reload it yourself (`systemctl reload pgbouncer`, or "
        "RELOAD on its admin console)",
        reloaded.status().message()));
  }
  if (needs_restart) {
    report.notes.push_back(fmt::format(
        "PgBouncer needs a restart for its listen address, port, socket folder or pidfile to "
        "change: `{}`",
        SystemdRunning() ? "systemctl restart pgbouncer" : "stop it, then " + StartHint(plan)));
  }
  return Status::Ok();
}

}  // namespace pgstack::stack::external
