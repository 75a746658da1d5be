// Up, Down, Destroy and GetStatus of the local stack.
#include "pgstack/stack/stack.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>

#include "cluster.h"
#include "cluster_init.h"
#include "early_login.h"
#include "internal.h"
#include "no_space.h"
#include "pgbouncer_process.h"
#include "pgstack/core/dir_spread.h"
#include "pgstack/core/files.h"
#include "pgstack/core/pgbouncer_files.h"
#include "pgstack/core/port_lock.h"
#include "pgstack/location/endpoints.h"
#include "pgstack/pg/reload.h"
#include "pgstack/stack/pgbouncer_config.h"
#include "pgstack/stack/provision.h"
#include "preflight.h"
#include "read_pool.h"
#include "replicas.h"
#include "seed_database.h"
#include "state_lock.h"
#include "verifier_memo.h"

namespace pgstack::stack {

PgBouncerLayout LocalLayout(const core::Environment& env, const StatePaths& paths,
                            const StackState& st) {
  return PgBouncerLayout{.server_host = env.postgres.host,
                         .server_port = st.pg_port,
                         .listen_port = st.pool_port,
                         .unix_socket_dir = paths.run,
                         .auth_file = paths.userlist,
                         .logfile = paths.pgbouncer_log,
                         .pidfile = paths.pgbouncer_pid,
                         .read_pool_hosts = ReadPoolHosts(paths, st),
                         .read_pool_port = kReadPoolLinkPort};
}

Result<std::string> RenderLocalIni(const core::Environment& env, const StatePaths& paths,
                                   const StackState& st) {
  std::string tmpl_path = PgBouncerTemplatePath();
  PGSTACK_ASSIGN_OR_RETURN(auto tmpl, core::ReadFileIfExists(tmpl_path));
  if (!tmpl) return Status::InvalidInput(tmpl_path + ": PgBouncer template missing");
  return RenderPgBouncerIni(env, LocalLayout(env, paths, st), *tmpl, tmpl_path);
}

namespace {

namespace fs = std::filesystem;

// A connection as `p` says but in database `db`.
Result<pg::Connection> OpenIn(pg::ConnParams p, const std::string& db) {
  p.dbname = db;
  return pg::Connection::Open(p);
}

Status NotOurs(const std::string& state_dir, const location::StateDirInfo& dir) {
  return Status::InvalidInput(
      fmt::format("{}: not a pgstack state dir (it holds {}, and no state.json); use another "
                  "--state-dir",
                  state_dir, dir.foreign_entry));
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
  std::string pg_version_line;        // PgBinaries' (empty when the binaries were not asked)
  std::vector<core::PortLock> ports;  // free ports chosen for this run, held until Up returns
};

// Everything Up() decides before it changes anything, under the state dir's lock: a second `up`
// that waited for the first finds the state it wrote and keeps its ports.
Result<Plan> Prepare(const core::Environment& env, const UpOptions& o, core::OsUser service,
                     core::ProcessRunner& runner) {
  StatePaths paths(o.state_dir);
  Plan plan;
  plan.service = std::move(service);
  PGSTACK_ASSIGN_OR_RETURN(location::StateDirInfo dir, location::InspectStateDir(o.state_dir));
  if (dir.kind == location::StateDirKind::kForeign) return NotOurs(o.state_dir, dir);
  if (dir.kind == location::StateDirKind::kStack) {
    PGSTACK_ASSIGN_OR_RETURN(plan.previous, location::LoadState(o.state_dir));
    if (plan.previous->stack_id != location::StackId(env)) {
      return Status::InvalidInput(fmt::format(
          "{}: this state dir holds stack '{}', not '{}' (environment {} of {}); use another "
          "--state-dir{}",
          o.state_dir, plan.previous->stack_id, location::StackId(env), env.name, env.file,
          plan.previous->provisional ? ", or delete it with `pgstack destroy --yes`" : ""));
    }
  }
  PGSTACK_ASSIGN_OR_RETURN(
      PgBinaries bins, FindPgBinaries(o.pg_bin, plan.previous ? plan.previous->pg_bin : "", runner,
                                      VersionMemoDir()));
  PGSTACK_RETURN_IF_ERROR(CheckServerInput(env, bins.dir));
  plan.pg_version_line = bins.version_line;
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
                          .os_user = plan.service.name,
                          .provisional = !prev || prev->provisional};
  plan.state.primary_node = prev ? prev->primary_node : 0;
  PGSTACK_ASSIGN_OR_RETURN(
      plan.state.replicas,
      PlanReplicas(prev ? prev->replicas : std::vector<location::ReplicaState>{},
                   plan.state.primary_node, o.replicas ? o.replicas : env.replication.replicas,
                   env.postgres.host, plan.ports));
  for (const auto& r : plan.state.replicas) {
    bool remembered = prev && std::any_of(prev->replicas.begin(), prev->replicas.end(),
                                          [&](const auto& p) { return p.port == r.port; });
    bool running = Cluster(paths.Node(r.node), bins.dir, plan.service, runner).Running();
    if (!(remembered && running))
      PGSTACK_RETURN_IF_ERROR(
          CheckPortFree(env.postgres.host, r.port, fmt::format("replica {}", r.node)));
  }
  PGSTACK_ASSIGN_OR_RETURN(plan.pgbouncer_ini, RenderLocalIni(env, paths, plan.state));
  // A server of ours that already runs holds its port; anything else on it is in the way.
  StatePaths primary_paths = paths.Node(plan.state.primary_node);
  Cluster cluster(primary_paths, bins.dir, plan.service, runner);
  bool ours = cluster.Running() && prev && prev->pg_port == pg_port;
  if (!ours) PGSTACK_RETURN_IF_ERROR(CheckPortFree(env.postgres.host, pg_port, "PostgreSQL"));
  PgBouncerProcess bouncer(paths, plan.service, runner);
  bool ours_pool = bouncer.Running() && prev && prev->pool_port == pool_port;
  if (!ours_pool)
    PGSTACK_RETURN_IF_ERROR(CheckPortFree(env.pgbouncer.listen_addr, pool_port, "PgBouncer"));
  return plan;
}

bool SameState(const StackState& a, const StackState& b) {
  return a.stack_id == b.stack_id && a.environment == b.environment && a.pg_port == b.pg_port &&
         a.pool_port == b.pool_port && a.pg_bin == b.pg_bin && a.os_user == b.os_user &&
         a.provisional == b.provisional && a.primary_node == b.primary_node &&
         a.replicas.size() == b.replicas.size() &&
         std::equal(
             a.replicas.begin(), a.replicas.end(), b.replicas.begin(),
             [](const auto& x, const auto& y) { return x.node == y.node && x.port == y.port; });
}

// What one `up` started: stopped again when that `up` fails, so that a failed `up` leaves
// nothing running that did not run before it.
class StopOnFailure {
 public:
  StopOnFailure(Cluster& cluster, PgBouncerProcess& bouncer)
      : cluster_(cluster), bouncer_(bouncer) {}
  StopOnFailure(const StopOnFailure&) = delete;
  ~StopOnFailure() {
    // The failure being reported is the one that matters; a stop that fails too adds nothing.
    if (pgbouncer_) (void)bouncer_.Stop();
    if (postgres_) (void)cluster_.Stop();
  }
  void StartedPostgres() { postgres_ = true; }
  void StartedPgBouncer() { pgbouncer_ = true; }
  void Succeeded() { postgres_ = pgbouncer_ = false; }

 private:
  Cluster& cluster_;
  PgBouncerProcess& bouncer_;
  bool postgres_ = false;
  bool pgbouncer_ = false;
};

// Reloads PostgreSQL after its files changed and restarts it when a setting needs that.
Status ApplyServerConfig(Cluster& cluster, const pg::ConnParams& su,
                         const std::vector<std::string>& changed, std::vector<Action>& actions) {
  PGSTACK_ASSIGN_OR_RETURN(auto c, pg::Connection::Open(su));
  PGSTACK_RETURN_IF_ERROR(pg::ReloadConfiguration(c));
  PGSTACK_ASSIGN_OR_RETURN(
      auto pending,
      c.Exec("SELECT string_agg(name, ', ' ORDER BY name) FROM pg_settings WHERE pending_restart"));
  std::string names = pending.scalar();
  std::string files = fmt::format("{}", fmt::join(changed, ", "));
  if (names.empty()) {
    actions.push_back({ActionVerb::kReloaded, fmt::format("PostgreSQL ({} changed)", files)});
    return Status::Ok();
  }
  PGSTACK_RETURN_IF_ERROR(cluster.Restart());
  actions.push_back({ActionVerb::kRestarted,
                     fmt::format("PostgreSQL ({} changed; {} need a restart)", files, names)});
  return Status::Ok();
}

// ALTER SYSTEM writes postgresql.auto.conf, which the server reads after conf.d: an override of
// a setting pgstack owns would silently beat pgstack.conf (verify names it; up puts it right).
// Resets each, reloads, and says whether one of them needs a restart to go.
Result<bool> ResetAlterSystem(pg::Connection& c, std::vector<Action>& actions) {
  // Every PostgreSQL row of the settings table is pgstack's, whether this stack writes it or not
  // (a durable stack's fsync as much as a test stack's), and so are the connection settings.
  std::string owned = "{port,unix_socket_directories,hba_file,ident_file";
  for (const core::SettingSpec& spec : core::AllSettings())
    if (spec.target == core::Target::kPostgres) owned += "," + std::string(spec.name);
  owned += "}";
  PGSTACK_ASSIGN_OR_RETURN(auto found,
                           c.Exec("SELECT DISTINCT f.name, s.context = 'postmaster' AS restart "
                                  "FROM pg_file_settings f JOIN pg_settings s USING (name) "
                                  "WHERE f.sourcefile LIKE '%/postgresql.auto.conf' "
                                  "AND f.name = ANY($1::text[]) ORDER BY 1",
                                  {owned}));
  if (found.rows() == 0) return false;
  std::vector<std::string> names;
  bool restart = false;
  for (int i = 0; i < found.rows(); ++i) {
    names.emplace_back(found.get(i, "name"));
    restart = restart || found.get(i, "restart") == "t";
    PGSTACK_RETURN_IF_ERROR(c.Run("ALTER SYSTEM RESET " + c.QuoteIdent(names.back())));
  }
  PGSTACK_RETURN_IF_ERROR(pg::ReloadConfiguration(c));
  actions.push_back(
      {ActionVerb::kReset,
       fmt::format("ALTER SYSTEM overrides of {} (postgresql.auto.conf): pgstack.conf decides them",
                   fmt::join(names, ", "))});
  return restart;
}

// up's first step: the state, written before anything starts (whatever this `up` leaves, the
// next command finds it), and the primary's folders.
Status WriteStateAndDirs(const Plan& plan, const std::string& state_dir, const StatePaths& paths,
                         core::Owner owner) {
  if (!plan.previous || !SameState(*plan.previous, plan.state))
    PGSTACK_RETURN_IF_ERROR(location::SaveState(state_dir, plan.state));
  for (const auto& d : {paths.run, paths.logs, paths.pgbouncer_dir})
    PGSTACK_RETURN_IF_ERROR(core::MakeDirs(d, 0700, owner));
  return Status::Ok();
}

// The application role's login through the local PgBouncer (which has no TLS).
pg::ConnParams PooledLogin(const core::Environment& e, int pool_port) {
  return {.host = e.pgbouncer.listen_addr,
          .port = pool_port,
          .user = e.postgres.user,
          .dbname = e.postgres.database,
          .password = e.postgres.password,
          .sslmode = "disable",
          .gssencmode = "disable"};
}

// up's password step: the configured variable's password (kept in credentials.json, so that
// later commands without the variable agree), else the kept one, else a new one. The returned
// environment carries it; `provision` gets the verifier memo when the password is pgstack's.
Result<core::Environment> SettleCredentials(const core::Environment& env,
                                            const std::string& state_dir, const StatePaths& paths,
                                            ProvisionOptions& provision,
                                            std::vector<Action>& actions) {
  PGSTACK_ASSIGN_OR_RETURN(auto loose, location::SecureCredentials(paths));
  if (loose) {
    actions.push_back({ActionVerb::kMade, fmt::format("{} private again (mode {:04o}, now 0600)",
                                                      paths.credentials, *loose)});
  }
  core::Environment e = env;
  PGSTACK_ASSIGN_OR_RETURN(auto kept, location::ReadCredentials(paths));
  if (!e.postgres.password.empty() && kept != e.postgres.password) {
    // The variable wins, and is kept: a command run without it then uses the role's password.
    PGSTACK_RETURN_IF_ERROR(location::WriteCredentials(paths, e.postgres.password));
    actions.push_back({ActionVerb::kTook,
                       fmt::format("the password of {} from ${} and keeps it in {}",
                                   e.postgres.user, e.postgres.password_env, paths.credentials)});
  }
  if (e.postgres.password.empty()) {
    if (!kept) {
      PGSTACK_ASSIGN_OR_RETURN(std::string secret, core::RandomSecret());
      PGSTACK_RETURN_IF_ERROR(location::WriteCredentials(paths, secret));
      kept = secret;
      actions.push_back({ActionVerb::kGenerated, fmt::format("a password for {} ({}, mode 0600)",
                                                             e.postgres.user, paths.credentials)});
    }
    e.postgres.password = *kept;
    provision.verifier_memo = VerifierMemo::PathIn(StatePaths(state_dir));
  }
  return e;
}

// up's server step: starts a stopped server (a start that fails on a changed pgstack.conf asks
// check_config, which puts the old file back), or reloads/restarts a running one whose files
// changed. The running server still listens where the last `up` put it: a new --pg-port takes
// effect with the restart that follows the reload.
Status StartOrApply(Cluster& cluster, StopOnFailure& stop_on_failure, const Plan& plan,
                    const core::Environment& e, const pg::ConnParams& su,
                    const std::vector<std::string>& changed, bool conf_changed,
                    const std::function<Status()>& check_config, std::vector<Action>& actions) {
  if (!cluster.Running()) {
    stop_on_failure.StartedPostgres();  // it may run although its start said it failed
    Status started = cluster.Start();
    if (started.ok()) {
      actions.push_back({ActionVerb::kStarted,
                         fmt::format("PostgreSQL on {}:{}", e.postgres.host, plan.state.pg_port)});
      return started;
    }
    // A killed `up`'s postmaster, started a moment before ours and not yet in postmaster.pid
    // when we looked, holds the data directory (ours stopped at its lock file): that one is the
    // server, as if it had been running.
    if (!cluster.Running()) {
      if (conf_changed) PGSTACK_RETURN_IF_ERROR(check_config());
      return started;
    }
  }
  if (!changed.empty()) {
    pg::ConnParams running = su;
    if (plan.previous) running.port = plan.previous->pg_port;
    PGSTACK_RETURN_IF_ERROR(ApplyServerConfig(cluster, running, changed, actions));
  }
  return Status::Ok();
}

// up's admin step: a superuser connection in the application database once the server takes
// logins, after ALTER SYSTEM overrides of pgstack's settings are reset (and the restart one of
// them needs). A server that ran on untouched is up, and the application database is usually
// there: one backend in it serves all of Provision, which matters to a warm `up`'s time.
Result<pg::Connection> AdminConnection(Cluster& cluster, const core::Environment& e,
                                       const pg::ConnParams& su, bool undisturbed,
                                       std::vector<Action>& actions) {
  std::optional<Result<pg::Connection>> quick;
  if (undisturbed) quick = OpenIn(su, e.postgres.database);
  Result<pg::Connection> admin =
      quick && quick->ok() ? std::move(*quick) : WaitForLogin(su, std::chrono::seconds(30));
  if (!admin.ok()) return admin.status();
  PGSTACK_ASSIGN_OR_RETURN(bool restart, cluster.AlterSystemEmpty()
                                             ? Result<bool>(false)
                                             : ResetAlterSystem(*admin, actions));
  if (!restart) return admin;
  PGSTACK_RETURN_IF_ERROR(cluster.Restart());
  actions.push_back({ActionVerb::kRestarted, "PostgreSQL (a reset override needs a restart)"});
  return WaitForLogin(su, std::chrono::seconds(30));
}

// up's PgBouncer step: its files, then start, reload or restart as the change requires.
Status ApplyPgBouncer(PgBouncerProcess& bouncer, StopOnFailure& stop_on_failure,
                      const StatePaths& paths, const Plan& plan, const core::Environment& e,
                      const std::string& verifier, core::Owner owner,
                      std::vector<Action>& actions) {
  const std::string& ini = plan.pgbouncer_ini;
  PGSTACK_ASSIGN_OR_RETURN(auto old_ini, core::ReadFileIfExists(paths.pgbouncer_ini));
  PGSTACK_ASSIGN_OR_RETURN(bool ini_changed,
                           core::ReplaceFile(paths.pgbouncer_ini, ini, 0600, owner));
  PGSTACK_ASSIGN_OR_RETURN(
      bool users_changed,
      core::ReplaceFile(paths.userlist, core::RenderUserlist(e.postgres.user, verifier), 0600,
                        owner));
  if (!bouncer.Running()) {
    stop_on_failure.StartedPgBouncer();  // PgBouncer may run although its start said it failed
    PGSTACK_RETURN_IF_ERROR(bouncer.Start());
    actions.push_back(
        {ActionVerb::kStarted,
         fmt::format("PgBouncer on {}:{}", e.pgbouncer.listen_addr, plan.state.pool_port)});
  } else if (ini_changed && old_ini && PgBouncerNeedsRestart(*old_ini, ini)) {
    PGSTACK_RETURN_IF_ERROR(bouncer.Stop());
    PGSTACK_RETURN_IF_ERROR(bouncer.Start());
    actions.push_back(
        {ActionVerb::kRestarted, "PgBouncer (a setting that needs a restart changed)"});
  } else if (ini_changed || users_changed) {
    PGSTACK_RETURN_IF_ERROR(bouncer.Reload());
    actions.push_back(
        {ActionVerb::kReloaded,
         fmt::format("PgBouncer ({} changed)",
                     ini_changed ? (users_changed ? "pgbouncer.ini, userlist.txt" : "pgbouncer.ini")
                                 : "userlist.txt")});
  }
  return Status::Ok();
}

// up's login step. The early login checked PgBouncer, the server and the role as they are now
// when this `up` changed nothing since; after any change, or when it failed, the login is checked
// again. Either way its thread ends here, before replicas may start processes.
Status CheckPooledLogin(std::optional<EarlyLogin>& early_login, bool changed_something,
                        const pg::ConnParams& pooled, const core::Environment& e,
                        const StatePaths& paths) {
  if (early_login) {
    Status early = early_login->Wait();
    early_login.reset();
    if (!changed_something && early.ok()) return early;
  }
  // Long enough for PgBouncer's server_login_retry (15 s) after a server restart.
  Status login = WaitForLogin(pooled, std::chrono::seconds(20)).status();
  if (!login.ok())
    return login.WithContext(
        fmt::format("PgBouncer does not let {} in (see {})", e.postgres.user, paths.pgbouncer_log));
  return login;
}

// `up` once the state dir is locked, as a sequence of named steps (kUpSteps, below). Each step
// is a member function that reads what the steps before it left in the run's fields and leaves
// its own; its comment names both. A new step is one function and one row.
class UpRun {
 public:
  UpRun(const core::Environment& env, const UpOptions& o, core::ProcessRunner& runner, Plan plan)
      : env_(env),
        o_(o),
        runner_(runner),
        plan_(std::move(plan)),
        paths_(StatePaths(o.state_dir).Node(plan_.state.primary_node)),
        owner_{plan_.service.uid, plan_.service.gid},
        cluster_(paths_, plan_.state.pg_bin, plan_.service, runner),
        bouncer_(paths_, plan_.service, runner),
        stop_on_failure_(cluster_, bouncer_),
        su_{.host = paths_.run,
            .port = plan_.state.pg_port,
            .user = plan_.service.name,
            .dbname = "postgres"} {}

  // Reads: the plan. Leaves: state.json and the primary's folders written.
  Status State() { return WriteStateAndDirs(plan_, o_.state_dir, paths_, owner_); }

  // Reads: the configured environment. Leaves: e_, the environment with the role's password.
  Status Credentials() {
    PGSTACK_ASSIGN_OR_RETURN(
        e_, SettleCredentials(env_, o_.state_dir, paths_, provision_options_, actions_));
    // pg_hba and pgstack.conf of every node say what replication needs when there are replicas.
    e_.replication.replicas = static_cast<int>(plan_.state.replicas.size());
    pooled_ = PooledLogin(e_, plan_.state.pool_port);
    return Status::Ok();
  }

  // Leaves: a server that was stopping has stopped; a fence a killed promote left is lifted.
  Status Fence() {
    PGSTACK_RETURN_IF_ERROR(cluster_.WaitIfStopping());
    PGSTACK_ASSIGN_OR_RETURN(bool unfenced, LiftFence(cluster_, paths_));
    if (unfenced)
      actions_.push_back({ActionVerb::kLifted,
                          "the primary's fence: the promote that set it was killed before it "
                          "recorded a new primary"});
    return Status::Ok();
  }

  // Leaves: a data directory. A new one's syncs (and the cache's fill) go on while the server
  // starts: new_data_ holds them, and its action's place in the order (Settle writes it there).
  Status Data() {
    PGSTACK_RETURN_IF_ERROR(RemoveUnfinishedFill(paths_));
    if (cluster_.Initialized()) return Status::Ok();
    PGSTACK_ASSIGN_OR_RETURN(
        BackgroundTask task,
        InitDataDir(cluster_, e_.durable, plan_.pg_version_line, SeedFor(e_.postgres)));
    new_data_.emplace(Deferred{actions_.size(), std::move(task)});
    return Status::Ok();
  }

  // Reads: e_. Leaves: the server's files written, changed_ naming those that changed. A value
  // the server rejects must not reach a reload, or a restart that leaves it down: the server is
  // asked (postgres -C) and the old file put back (CheckConfig). A server about to start reads
  // the file anyway; it is asked only when that start fails (a cold `up` saves the ~35 ms).
  Status Config() {
    PGSTACK_ASSIGN_OR_RETURN(old_conf_, core::ReadFileIfExists(paths_.pg_conf));
    // A new data directory's flush, held until now, covers these files: no fsync each, and
    // none of them waits behind that flush.
    bool flushed_later = new_data_ && new_data_->task.held();
    PGSTACK_ASSIGN_OR_RETURN(
        changed_,
        cluster_.WriteConfig(e_, plan_.state.pg_port, core::CurrentOsUser().name, !flushed_later));
    if (new_data_) new_data_->task.Release();
    // A hint, kept on every `up` (a copied or older cluster lacks it): see dir_spread.h.
    (void)core::SpreadSubdirs(paths_.data + "/base");
    conf_changed_ = std::find(changed_.begin(), changed_.end(), "pgstack.conf") != changed_.end();
    undisturbed_ = cluster_.Running() && changed_.empty();
    if (conf_changed_ && cluster_.Running()) return CheckConfig();
    return Status::Ok();
  }

  // Reads: changed_. Leaves: the server running with its files applied. While nothing changed,
  // PgBouncer's login is tried on a thread of its own meanwhile (the early login).
  Status Server() {
    if (undisturbed_ && !Changed() && bouncer_.Running())
      early_login_ = EarlyLogin::StartIfReady(paths_, plan_.pgbouncer_ini,
                                              provision_options_.verifier_memo, pooled_);
    return StartOrApply(
        cluster_, stop_on_failure_, plan_, e_, su_, changed_, conf_changed_,
        [this] { return CheckConfig(); }, actions_);
  }

  // Leaves: admin_, a superuser connection in the application database.
  Status Admin() {
    PGSTACK_ASSIGN_OR_RETURN(pg::Connection c,
                             AdminConnection(cluster_, e_, su_, undisturbed_, actions_));
    admin_.emplace(std::move(c));
    return Status::Ok();
  }

  // Reads: admin_. Leaves: the database, role and extensions; verifier_, the role's SCRAM
  // verifier for PgBouncer; the server's version in the report.
  Status Database() {
    auto open_db = [this](const std::string& db) { return OpenIn(su_, db); };
    PGSTACK_ASSIGN_OR_RETURN(ProvisionResult prov,
                             Provision(*admin_, open_db, e_.postgres, provision_options_));
    actions_.insert(actions_.end(), prov.actions.begin(), prov.actions.end());
    verifier_ = std::move(prov.verifier);
    PGSTACK_ASSIGN_OR_RETURN(auto version, admin_->Exec("SHOW server_version"));
    pg_version_ = version.scalar();
    return Status::Ok();
  }

  // Reads: verifier_. Leaves: PgBouncer's files written (with the read pool's links), and it
  // running with them.
  Status PgBouncer() {
    PGSTACK_RETURN_IF_ERROR(WriteReadPoolLinks(StatePaths(o_.state_dir), plan_.state, owner_));
    return ApplyPgBouncer(bouncer_, stop_on_failure_, paths_, plan_, e_, verifier_, owner_,
                          actions_);
  }

  // Reads: the early login. Leaves: the role's login through PgBouncer checked.
  Status Login() { return CheckPooledLogin(early_login_, Changed(), pooled_, e_, paths_); }

  // Reads: admin_. Leaves: the planned replicas running and following.
  Status Replicas() {
    return EnsureReplicas(
        ReplicaSet{.env = e_,
                   .root = StatePaths(o_.state_dir),
                   .state = plan_.state,
                   .service = plan_.service,
                   .runner = runner_},
        plan_.previous ? plan_.previous->replicas : std::vector<location::ReplicaState>{}, *admin_,
        actions_);
  }

  // Reads: the replicas as Replicas left them. Leaves: the read pool rotating over every one
  // that runs (the plan's pgbouncer.ini left out those that did not run before).
  Status ReadPool() {
    return RefreshReadPool(e_, StatePaths(o_.state_dir), plan_.state, bouncer_, owner_, pooled_,
                           actions_);
  }

  // Leaves: the new data directory's background work ended, with its action in its place, and
  // the state no longer provisional.
  Status Settle() {
    if (new_data_) {
      PGSTACK_ASSIGN_OR_RETURN(Action done, new_data_->task.Wait());
      actions_.insert(actions_.begin() + static_cast<std::ptrdiff_t>(new_data_->position), done);
      new_data_.reset();
    }
    if (plan_.state.provisional) {
      plan_.state.provisional = false;
      PGSTACK_RETURN_IF_ERROR(location::SaveState(o_.state_dir, plan_.state));
    }
    stop_on_failure_.Succeeded();
    return Status::Ok();
  }

  UpReport Report() && { return {std::move(actions_), plan_.state, std::move(pg_version_)}; }

 private:
  // The action of work that ends later, and where it goes in the order of actions.
  struct Deferred {
    size_t position;
    BackgroundTask task;
  };

  bool Changed() const { return !actions_.empty() || new_data_.has_value(); }

  // Asks the server whether it takes the new pgstack.conf; if not, puts the old one back.
  Status CheckConfig() {
    Status accepted = cluster_.CheckConfig();
    if (accepted.ok()) return accepted;
    Status restored = core::RestoreFile(paths_.pg_conf, old_conf_, 0600, owner_);
    if (!restored.ok())
      return accepted.WithContext("not applied, and " + paths_.pg_conf + " is NOT restored (" +
                                  restored.message() + ")");
    return accepted.WithContext("not applied, " + paths_.pg_conf + " restored");
  }

  const core::Environment& env_;
  const UpOptions& o_;
  core::ProcessRunner& runner_;
  Plan plan_;
  StatePaths paths_;  // the primary's: data/ until a `pgstack promote` made another node primary
  core::Owner owner_;
  Cluster cluster_;
  PgBouncerProcess bouncer_;
  StopOnFailure stop_on_failure_;
  pg::ConnParams su_;
  core::Environment e_;
  pg::ConnParams pooled_;
  ProvisionOptions provision_options_ = {.seed = kSeedDatabase};
  std::vector<Action> actions_;
  std::optional<Deferred> new_data_;
  std::optional<std::string> old_conf_;
  std::vector<std::string> changed_;
  bool conf_changed_ = false;
  bool undisturbed_ = false;
  std::optional<EarlyLogin> early_login_;
  std::optional<pg::Connection> admin_;
  std::string verifier_;
  std::string pg_version_;
};

// up's steps, in order.
constexpr Status (UpRun::*kUpSteps[])() = {
    &UpRun::State,    &UpRun::Credentials, &UpRun::Fence,    &UpRun::Data,      &UpRun::Config,
    &UpRun::Server,   &UpRun::Admin,       &UpRun::Database, &UpRun::PgBouncer, &UpRun::Login,
    &UpRun::Replicas, &UpRun::ReadPool,    &UpRun::Settle,
};

Result<UpReport> UpLocked(const core::Environment& env, const UpOptions& o,
                          core::ProcessRunner& runner, const core::OsUser& service) {
  PGSTACK_ASSIGN_OR_RETURN(Plan plan, Prepare(env, o, service, runner));
  UpRun run(env, o, runner, std::move(plan));
  for (auto step : kUpSteps) PGSTACK_RETURN_IF_ERROR((run.*step)());
  return std::move(run).Report();
}

// Removes a state dir this `up` created when it failed before it wrote anything but its lock.
void RemoveIfOnlyLock(const StatePaths& paths) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(paths.root, ec)) {
    if (e.path().filename() != ".lock") return;
  }
  if (!ec) fs::remove_all(paths.root, ec);
}

}  // namespace

Result<UpReport> Up(const core::Environment& env, const UpOptions& o, core::ProcessRunner& runner) {
  if (env.mode != core::Mode::kLocal) {
    return Status::InvalidInput(
        fmt::format("{}: environment {} is external; a local stack needs \"mode\": \"local\"",
                    env.file, env.name));
  }
  PGSTACK_ASSIGN_OR_RETURN(location::StateDirInfo dir, location::InspectStateDir(o.state_dir));
  if (dir.kind == location::StateDirKind::kForeign) return NotOurs(o.state_dir, dir);
  // What needs no lock is checked before the state dir is made: bad input leaves nothing.
  PGSTACK_RETURN_IF_ERROR(CheckConfigInput(env));
  PGSTACK_ASSIGN_OR_RETURN(core::OsUser service, core::ServiceUser());
  StatePaths paths(o.state_dir);
  PGSTACK_RETURN_IF_ERROR(
      core::CheckReachable(fs::path(paths.root).parent_path().string(), service));
  bool made_root = !fs::exists(paths.root);
  PGSTACK_ASSIGN_OR_RETURN(
      core::FileLock lock,
      LockStateDir(paths, "pgstack up", core::Owner{service.uid, service.gid}, o.on_lock_wait));
  auto report = UpLocked(env, o, runner, service);
  if (!report.ok() && made_root) RemoveIfOnlyLock(paths);
  if (!report.ok() && IsNoSpace(report.status()) && !report.status().Is(kNoSpace))
    return NoSpaceError(report.status(), "the stack in " + paths.root);
  return report;
}

namespace {

// The state down, destroy and status work from: state.json, or, where an `up` was killed before
// it wrote one, what is known without it (the service user; no binaries: a signal stops the
// server, as pg_ctl would).
Result<StackState> StateOrGuess(const std::string& state_dir, location::StateDirKind kind) {
  if (kind == location::StateDirKind::kStack) return location::LoadState(state_dir);
  PGSTACK_ASSIGN_OR_RETURN(core::OsUser svc, core::ServiceUser());
  return StackState{.os_user = svc.name, .provisional = true};
}

// The state dir as down and destroy find it: a stack, or what a killed `up` or `destroy` left.
Result<location::StateDirInfo> Existing(const std::string& state_dir) {
  PGSTACK_ASSIGN_OR_RETURN(location::StateDirInfo dir, location::InspectStateDir(state_dir));
  if (dir.kind == location::StateDirKind::kForeign) return NotOurs(state_dir, dir);
  return dir;
}

Status StopAll(const StatePaths& paths, const StackState& st, core::ProcessRunner& runner) {
  PGSTACK_ASSIGN_OR_RETURN(core::OsUser svc, core::LookupOsUser(st.os_user));
  PGSTACK_RETURN_IF_ERROR(PgBouncerProcess(paths, svc, runner).Stop());
  // The primary before its replicas: its shutdown sends them everything it wrote.
  StatePaths primary_paths = paths.Node(st.primary_node);
  Cluster cluster(primary_paths, st.pg_bin, svc, runner);
  if (cluster.Running()) PGSTACK_RETURN_IF_ERROR(cluster.Stop());
  return StopReplicas(paths, st, svc, runner);
}

// Deletes `name` in dir and every file beside it whose name continues it with a dot (backups,
// temp files).
Status RemoveWithCopies(const std::string& dir, const std::string& name) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string n = e.path().filename().string();
    if (n != name && n.rfind(name + ".", 0) != 0) continue;
    fs::remove(e.path(), ec);
    if (ec)
      return Status::Failure(fmt::format("{}: cannot delete: {}", e.path().string(), ec.message()));
  }
  return Status::Ok();
}

}  // namespace

Status Down(const std::string& state_dir, core::ProcessRunner& runner,
            const LockWaitFn& on_lock_wait) {
  PGSTACK_ASSIGN_OR_RETURN(location::StateDirInfo dir, Existing(state_dir));
  if (dir.kind == location::StateDirKind::kMissing) return location::NoStack(state_dir);
  StatePaths paths(state_dir);
  PGSTACK_ASSIGN_OR_RETURN(core::FileLock lock,
                           LockStateDir(paths, "pgstack down", std::nullopt, on_lock_wait));
  PGSTACK_ASSIGN_OR_RETURN(dir, Existing(state_dir));  // as the lock's last holder left it
  PGSTACK_ASSIGN_OR_RETURN(StackState st, StateOrGuess(state_dir, dir.kind));
  return StopAll(paths, st, runner);
}

Status Destroy(const std::string& state_dir, core::ProcessRunner& runner,
               const LockWaitFn& on_lock_wait) {
  PGSTACK_ASSIGN_OR_RETURN(location::StateDirInfo dir, Existing(state_dir));
  if (dir.kind == location::StateDirKind::kMissing) return location::NoStack(state_dir);
  StatePaths paths(state_dir);
  std::error_code ec;
  {
    auto lock = LockStateDir(paths, "pgstack destroy", std::nullopt, on_lock_wait);
    // Another destroy removed it meanwhile: what was asked for is done.
    if (!lock.ok()) return fs::exists(paths.root, ec) ? lock.status() : Status::Ok();
    PGSTACK_ASSIGN_OR_RETURN(dir, Existing(state_dir));
    // Secrets first: a destroy killed at any later point leaves no password behind.
    PGSTACK_RETURN_IF_ERROR(RemoveWithCopies(paths.root, "credentials.json"));
    if (fs::exists(paths.pgbouncer_dir, ec))
      PGSTACK_RETURN_IF_ERROR(RemoveWithCopies(paths.pgbouncer_dir, "userlist.txt"));
    if (fs::exists(paths.replicas, ec))
      PGSTACK_RETURN_IF_ERROR(RemoveWithCopies(paths.replicas, "pgpass"));
    PGSTACK_ASSIGN_OR_RETURN(StackState st, StateOrGuess(state_dir, dir.kind));
    PGSTACK_RETURN_IF_ERROR(StopAll(paths, st, runner));
  }
  // Whatever is left is pgstack's (InspectStateDir said so), in any order: a destroy killed
  // while deleting leaves a dir the next one recognises and finishes.
  fs::remove_all(paths.root, ec);
  if (ec) return Status::Failure(fmt::format("{}: cannot delete: {}", state_dir, ec.message()));
  return Status::Ok();
}

Result<StackStatus> GetStatus(const std::string& state_dir) {
  StackStatus s;
  PGSTACK_ASSIGN_OR_RETURN(location::StateDirInfo dir, Existing(state_dir));
  if (dir.kind == location::StateDirKind::kMissing) return s;
  StatePaths paths(state_dir);
  PGSTACK_ASSIGN_OR_RETURN(s.state, StateOrGuess(state_dir, dir.kind));
  s.exists = true;
  s.complete = !s.state.provisional;
  PGSTACK_ASSIGN_OR_RETURN(core::OsUser svc, core::LookupOsUser(s.state.os_user));
  StatePaths primary_paths = paths.Node(s.state.primary_node);
  Cluster cluster(primary_paths, s.state.pg_bin, svc, core::SystemProcessRunner());
  s.postgres_running = cluster.Running();
  if (s.postgres_running && s.state.pg_port != 0) {
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
  s.replicas = ReplicaStatuses(state_dir, s.state);
  return s;
}

}  // namespace pgstack::stack
