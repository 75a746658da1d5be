// Up, Down, Destroy and GetStatus of the local stack.
#include "pgstack/stack/stack.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "cluster.h"
#include "cluster_init.h"
#include "internal.h"
#include "pgbouncer_process.h"
#include "pgstack/core/files.h"
#include "pgstack/core/pgbouncer_files.h"
#include "pgstack/core/port_lock.h"
#include "pgstack/pg/reload.h"
#include "pgstack/stack/pgbouncer_config.h"
#include "pgstack/stack/provision.h"

namespace pgstack::stack {
namespace {

namespace fs = std::filesystem;

// Serialises up/down/destroy on one state directory (flock, released when the fd closes).
class DirLock {
 public:
  static Result<DirLock> Acquire(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return Status::Failure(path + ": cannot open lock file");
    if (::flock(fd, LOCK_EX) != 0) {
      ::close(fd);
      return Status::Failure(path + ": cannot lock");
    }
    return DirLock(fd);
  }
  DirLock(DirLock&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  ~DirLock() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  explicit DirLock(int fd) : fd_(fd) {}
  int fd_;
};

// A connection as `p` says but in database `db`.
Result<pg::Connection> OpenIn(pg::ConnParams p, const std::string& db) {
  p.dbname = db;
  return pg::Connection::Open(p);
}

// The port to use: a flag wins (0: keep the remembered one, else a free one), then what the
// state dir remembers, then the config (0: a free one). A free port stays locked in `held` until
// the server listens on it, so that another pgstack up starting now does not pick it too.
Result<int> ChoosePort(std::optional<int> flag, int remembered, int configured,
                       const std::string& host, std::vector<core::PortLock>& held) {
  if (flag && *flag != 0) return *flag;
  if (remembered != 0) return remembered;
  if (!flag && configured != 0) return configured;
  PGSTACK_ASSIGN_OR_RETURN(core::PortLock lock, core::PortLock::Take(host));
  held.push_back(std::move(lock));
  return held.back().port();
}

Status CheckPortFree(const std::string& host, int port, const std::string& what) {
  if (!core::PortInUse(host, port)) return Status::Ok();
  return Status::InvalidInput(fmt::format(
      "port {} on {} ({}) is already in use by another program: stop it, or choose another "
      "port (0 picks a free one)",
      port, host, what));
}

// Everything Up() decides before it changes anything.
struct Plan {
  std::optional<StackState> previous;
  StackState state;
  core::OsUser service;
  std::string pgbouncer_ini;
  std::vector<core::PortLock> ports;  // free ports chosen for this run, held until Up returns
};

PgBouncerLayout LocalLayout(const core::Environment& env, const StatePaths& paths,
                            const StackState& st) {
  return PgBouncerLayout{.server_host = env.postgres.host,
                         .server_port = st.pg_port,
                         .listen_port = st.pool_port,
                         .unix_socket_dir = paths.run,
                         .auth_file = paths.userlist,
                         .logfile = paths.pgbouncer_log,
                         .pidfile = paths.pgbouncer_pid};
}

Result<std::string> RenderLocalIni(const core::Environment& env, const StatePaths& paths,
                                   const StackState& st) {
  std::string tmpl_path = PgBouncerTemplatePath();
  PGSTACK_ASSIGN_OR_RETURN(auto tmpl, core::ReadFileIfExists(tmpl_path));
  if (!tmpl) return Status::InvalidInput(tmpl_path + ": PgBouncer template missing");
  return RenderPgBouncerIni(env, LocalLayout(env, paths, st), *tmpl, tmpl_path);
}

Result<Plan> Prepare(const core::Environment& env, const UpOptions& o,
                     core::ProcessRunner& runner) {
  StatePaths paths(o.state_dir);
  Plan plan;
  if (fs::exists(paths.state_file)) {
    PGSTACK_ASSIGN_OR_RETURN(plan.previous, location::LoadState(o.state_dir));
    if (plan.previous->stack_id != location::StackId(env)) {
      return Status::InvalidInput(fmt::format(
          "{}: this state dir holds stack '{}', not '{}' (environment {} of {}); use another "
          "--state-dir",
          o.state_dir, plan.previous->stack_id, location::StackId(env), env.name, env.file));
    }
  } else if (fs::exists(o.state_dir) && !fs::is_empty(o.state_dir)) {
    return Status::InvalidInput(fmt::format(
        "{}: not empty and not a pgstack state dir (no state.json); use another --state-dir",
        o.state_dir));
  }
  PGSTACK_ASSIGN_OR_RETURN(
      PgBinaries bins,
      FindPgBinaries(o.pg_bin, plan.previous ? plan.previous->pg_bin : "", runner));
  PGSTACK_RETURN_IF_ERROR(FindPgBouncer().status());
  PGSTACK_ASSIGN_OR_RETURN(plan.service, core::ServiceUser());
  PGSTACK_RETURN_IF_ERROR(
      core::CheckReachable(fs::absolute(o.state_dir).parent_path().string(), plan.service));
  PGSTACK_RETURN_IF_ERROR(core::CheckReachable(bins.dir, plan.service));
  const StackState* prev = plan.previous ? &*plan.previous : nullptr;
  PGSTACK_ASSIGN_OR_RETURN(int pg_port,
                           ChoosePort(o.pg_port, prev ? prev->pg_port : 0, env.postgres.port,
                                      env.postgres.host, plan.ports));
  PGSTACK_ASSIGN_OR_RETURN(int pool_port,
                           ChoosePort(o.pool_port, prev ? prev->pool_port : 0, env.pgbouncer.port,
                                      env.pgbouncer.listen_addr, plan.ports));
  if (pg_port == pool_port)
    return Status::InvalidInput(fmt::format("--pg-port and --pool-port are both {}", pg_port));
  plan.state = StackState{.stack_id = location::StackId(env),
                          .environment = env.name,
                          .pg_port = pg_port,
                          .pool_port = pool_port,
                          .pg_bin = bins.dir,
                          .os_user = plan.service.name};
  PGSTACK_ASSIGN_OR_RETURN(plan.pgbouncer_ini, RenderLocalIni(env, paths, plan.state));
  // A server of ours that already runs holds its port; anything else on it is in the way.
  Cluster cluster(paths, bins.dir, plan.service, runner);
  bool ours = cluster.Running() && prev && prev->pg_port == pg_port;
  if (!ours) PGSTACK_RETURN_IF_ERROR(CheckPortFree(env.postgres.host, pg_port, "PostgreSQL"));
  PgBouncerProcess bouncer(paths, plan.service, runner);
  bool ours_pool = bouncer.Running() && prev && prev->pool_port == pool_port;
  if (!ours_pool)
    PGSTACK_RETURN_IF_ERROR(CheckPortFree(env.pgbouncer.listen_addr, pool_port, "PgBouncer"));
  return plan;
}

// Reloads PostgreSQL after its files changed and restarts it when a setting needs that.
Status ApplyServerConfig(Cluster& cluster, const pg::ConnParams& su,
                         const std::vector<std::string>& changed,
                         std::vector<std::string>& actions) {
  PGSTACK_ASSIGN_OR_RETURN(auto c, pg::Connection::Open(su));
  PGSTACK_RETURN_IF_ERROR(pg::ReloadConfiguration(c));
  PGSTACK_ASSIGN_OR_RETURN(
      auto pending,
      c.Exec("SELECT string_agg(name, ', ' ORDER BY name) FROM pg_settings WHERE pending_restart"));
  std::string names = pending.scalar();
  std::string files = fmt::format("{}", fmt::join(changed, ", "));
  if (names.empty()) {
    actions.push_back(fmt::format("reloaded PostgreSQL ({} changed)", files));
    return Status::Ok();
  }
  PGSTACK_RETURN_IF_ERROR(cluster.Restart());
  actions.push_back(
      fmt::format("restarted PostgreSQL ({} changed; {} need a restart)", files, names));
  return Status::Ok();
}

}  // namespace

Result<UpReport> Up(const core::Environment& env, const UpOptions& o, core::ProcessRunner& runner) {
  if (env.mode != core::Mode::kLocal) {
    return Status::InvalidInput(
        fmt::format("{}: environment {} is external; a local stack needs \"mode\": \"local\"",
                    env.file, env.name));
  }
  PGSTACK_ASSIGN_OR_RETURN(Plan plan, Prepare(env, o, runner));
  StatePaths paths(o.state_dir);
  const core::OsUser& svc = plan.service;
  core::Owner owner{svc.uid, svc.gid};
  UpReport report;
  report.state = plan.state;
  auto& actions = report.actions;

  PGSTACK_RETURN_IF_ERROR(core::MakeDirs(paths.root, 0700, owner));
  PGSTACK_ASSIGN_OR_RETURN(DirLock lock, DirLock::Acquire(paths.lock_file));
  for (const auto& d : {paths.run, paths.logs, paths.pgbouncer_dir})
    PGSTACK_RETURN_IF_ERROR(core::MakeDirs(d, 0700, owner));

  core::Environment e = env;
  if (e.postgres.password.empty()) {
    PGSTACK_ASSIGN_OR_RETURN(auto kept, location::ReadCredentials(paths));
    if (!kept) {
      PGSTACK_ASSIGN_OR_RETURN(std::string secret, core::RandomSecret());
      PGSTACK_RETURN_IF_ERROR(location::WriteCredentials(paths, secret));
      kept = secret;
      actions.push_back(fmt::format("generated a password for {} ({}, mode 0600)", e.postgres.user,
                                    paths.credentials));
    }
    e.postgres.password = *kept;
  }

  Cluster cluster(paths, plan.state.pg_bin, svc, runner);
  if (!cluster.Initialized()) {
    PGSTACK_ASSIGN_OR_RETURN(std::string made, InitDataDir(cluster, e.durable));
    actions.push_back(std::move(made));
  }
  PGSTACK_ASSIGN_OR_RETURN(auto changed,
                           cluster.WriteConfig(e, plan.state.pg_port, core::CurrentOsUser().name));
  pg::ConnParams su{
      .host = paths.run, .port = plan.state.pg_port, .user = svc.name, .dbname = "postgres"};
  bool undisturbed = cluster.Running() && changed.empty();
  if (!cluster.Running()) {
    PGSTACK_RETURN_IF_ERROR(cluster.Start());
    actions.push_back(
        fmt::format("started PostgreSQL on {}:{}", e.postgres.host, plan.state.pg_port));
  } else if (!changed.empty()) {
    PGSTACK_RETURN_IF_ERROR(ApplyServerConfig(cluster, su, changed, actions));
  }
  // A server that ran on untouched is up, and the application database is usually there:
  // one backend in it serves all of Provision, which matters to a warm `up`'s time.
  auto admin = undisturbed ? OpenIn(su, e.postgres.database) : Status::Failure("");
  if (!admin.ok()) admin = WaitForLogin(su, std::chrono::seconds(30));
  if (!admin.ok()) return admin.status();
  auto open_db = [&](const std::string& db) { return OpenIn(su, db); };
  PGSTACK_ASSIGN_OR_RETURN(ProvisionResult prov, Provision(*admin, open_db, e.postgres));
  actions.insert(actions.end(), prov.actions.begin(), prov.actions.end());
  PGSTACK_ASSIGN_OR_RETURN(auto version, admin->Exec("SHOW server_version"));
  report.pg_version = version.scalar();

  // PgBouncer: its files, then start, reload or restart as the change requires.
  const std::string& ini = plan.pgbouncer_ini;
  PGSTACK_ASSIGN_OR_RETURN(auto old_ini, core::ReadFileIfExists(paths.pgbouncer_ini));
  PGSTACK_ASSIGN_OR_RETURN(bool ini_changed,
                           core::ReplaceFile(paths.pgbouncer_ini, ini, 0600, owner));
  PGSTACK_ASSIGN_OR_RETURN(
      bool users_changed,
      core::ReplaceFile(paths.userlist, core::RenderUserlist(e.postgres.user, prov.verifier), 0600,
                        owner));
  PgBouncerProcess bouncer(paths, svc, runner);
  if (!bouncer.Running()) {
    PGSTACK_RETURN_IF_ERROR(bouncer.Start());
    actions.push_back(
        fmt::format("started PgBouncer on {}:{}", e.pgbouncer.listen_addr, plan.state.pool_port));
  } else if (ini_changed && old_ini && PgBouncerNeedsRestart(*old_ini, ini)) {
    PGSTACK_RETURN_IF_ERROR(bouncer.Stop());
    PGSTACK_RETURN_IF_ERROR(bouncer.Start());
    actions.push_back("restarted PgBouncer (a setting that needs a restart changed)");
  } else if (ini_changed || users_changed) {
    PGSTACK_RETURN_IF_ERROR(bouncer.Reload());
    actions.push_back(
        fmt::format("reloaded PgBouncer ({} changed)",
                    ini_changed ? (users_changed ? "pgbouncer.ini, userlist.txt" : "pgbouncer.ini")
                                : "userlist.txt"));
  }
  pg::ConnParams pooled{.host = e.pgbouncer.listen_addr,
                        .port = plan.state.pool_port,
                        .user = e.postgres.user,
                        .dbname = e.postgres.database,
                        .password = e.postgres.password,
                        .sslmode = "disable"};
  // Long enough for PgBouncer's server_login_retry (15 s) after a server restart.
  Status login = WaitForLogin(pooled, std::chrono::seconds(20)).status();
  if (!login.ok())
    return login.WithContext(
        fmt::format("PgBouncer does not let {} in (see {})", e.postgres.user, paths.pgbouncer_log));

  if (!plan.previous || plan.previous->pg_port != plan.state.pg_port ||
      plan.previous->pool_port != plan.state.pool_port ||
      plan.previous->pg_bin != plan.state.pg_bin || plan.previous->os_user != plan.state.os_user) {
    PGSTACK_RETURN_IF_ERROR(location::SaveState(o.state_dir, plan.state));
  }
  return report;
}

Status Down(const std::string& state_dir, core::ProcessRunner& runner) {
  PGSTACK_ASSIGN_OR_RETURN(StackState st, location::LoadState(state_dir));
  StatePaths paths(state_dir);
  PGSTACK_ASSIGN_OR_RETURN(core::OsUser svc, core::LookupOsUser(st.os_user));
  PGSTACK_ASSIGN_OR_RETURN(DirLock lock, DirLock::Acquire(paths.lock_file));
  PGSTACK_RETURN_IF_ERROR(PgBouncerProcess(paths, svc, runner).Stop());
  Cluster cluster(paths, st.pg_bin, svc, runner);
  if (cluster.Running()) PGSTACK_RETURN_IF_ERROR(cluster.Stop());
  return Status::Ok();
}

Status Destroy(const std::string& state_dir, core::ProcessRunner& runner) {
  if (!fs::exists(state_dir)) return Status::Ok();
  PGSTACK_RETURN_IF_ERROR(Down(state_dir, runner));
  std::error_code ec;
  fs::remove_all(state_dir, ec);
  if (ec) return Status::Failure(fmt::format("{}: cannot delete: {}", state_dir, ec.message()));
  return Status::Ok();
}

Result<StackStatus> GetStatus(const std::string& state_dir) {
  StackStatus s;
  StatePaths paths(state_dir);
  if (!fs::exists(paths.state_file)) return s;
  PGSTACK_ASSIGN_OR_RETURN(s.state, location::LoadState(state_dir));
  s.exists = true;
  PGSTACK_ASSIGN_OR_RETURN(core::OsUser svc, core::LookupOsUser(s.state.os_user));
  Cluster cluster(paths, s.state.pg_bin, svc, core::SystemProcessRunner());
  s.postgres_running = cluster.Running();
  if (s.postgres_running) {
    pg::ConnParams su{
        .host = paths.run, .port = s.state.pg_port, .user = svc.name, .dbname = "postgres"};
    if (auto c = pg::Connection::Open(su); c.ok()) {
      if (auto v = c->Exec("SELECT current_setting('server_version'), current_setting('fsync')");
          v.ok()) {
        s.postgres_version = v->get(0, 0);
        s.postgres_durable = v->get(0, 1) != "off";
      }
    }
  }
  s.pgbouncer_running = PgBouncerProcess(paths, svc, core::SystemProcessRunner()).Running();
  return s;
}

}  // namespace pgstack::stack
