#include "cluster.h"

#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>

#include <charconv>
#include <filesystem>

#include "no_space.h"
#include "pgstack/core/conf_value.h"
#include "pgstack/core/files.h"
#include "pgstack/core/process.h"
#include "pgstack/core/settings.h"
#include "pgstack/core/wait.h"
#include "pgstack/location/testdb_roles.h"
#include "replicas.h"
#include "seed_database.h"

namespace pgstack::stack {
namespace {

bool LoopbackOnly(const std::string& listen) {
  return listen.empty() || listen == "127.0.0.1" || listen == "localhost" || listen == "::1" ||
         listen == "127.0.0.1,::1" || listen == "localhost,127.0.0.1";
}

// Waits up to a minute for the postmaster `pid` to be gone.
Status AwaitExit(pid_t pid, std::string_view what) {
  return core::WaitUntil({.what = fmt::format("PostgreSQL (pid {}) {}", pid, what),
                          .timeout = std::chrono::seconds(60),
                          .backoff = {.first = std::chrono::milliseconds(5),
                                      .growth = 1.5,
                                      .max = std::chrono::milliseconds(200)}},
                         [pid] {
                           return core::ProcessAlive(pid) ? core::Poll::NotYet("it still runs")
                                                          : core::Poll::Ready();
                         });
}

// `name = value`: integers and booleans bare, anything else quoted.
std::string ConfLine(const std::string& name, const std::string& value) {
  const core::SettingSpec* spec = core::FindSetting(core::Target::kPostgres, name);
  bool bare =
      spec && (spec->type == core::SettingType::kInt || spec->type == core::SettingType::kBool);
  return fmt::format("{} = {}\n", name, bare ? value : core::QuoteConfValue(value));
}

}  // namespace

std::string RenderPgConf(const core::Environment& env, const StatePaths& paths, int port) {
  std::string out = fmt::format(
      "# Written by pgstack from {} (environment {}). pgstack up rewrites this file and keeps\n"
      "# the previous version beside it as pgstack.conf.<time>.bak; change the config instead.\n"
      "# docs/configuration.md explains every setting.\n"
      "port = {}\n"
      "unix_socket_directories = {}\n"
      "hba_file = {}\n"
      "ident_file = {}\n",
      env.file, env.name, port, core::QuoteConfValue(core::QuoteConfListElement(paths.run)),
      core::QuoteConfValue(paths.hba), core::QuoteConfValue(paths.ident));
  for (const auto& [name, value] : env.postgres.settings) out += ConfLine(name, value);
  // The rows the stack decides, each under its line of the table's documentation.
  out += "# pgstack decides the settings below from \"durability\" and the stack's replicas.\n";
  if (!env.durable) {
    out +=
        "# Test mode (\"durability\": \"off\"): nothing waits for the disk. A crash of the server "
        "or\n"
        "# the machine may lose or corrupt this cluster; it is meant to be thrown away.\n";
  }
  core::StackShape shape{.durable = env.durable,
                         .replicas = env.replication.replicas.value_or(0) > 0};
  for (const auto& [name, value] : core::DecidedSettings(core::Target::kPostgres, shape)) {
    out += fmt::format("# {}\n", core::FindSetting(core::Target::kPostgres, name)->doc);
    out += ConfLine(name, value);
  }
  return out;
}

std::string RenderHba(const core::Environment& env, const std::string& superuser) {
  std::string listen = env.setting("listen_addresses").value_or("127.0.0.1");
  std::string out = fmt::format(
      "# Written by pgstack. The owner logs in by peer on the socket, everyone else with\n"
      "# SCRAM-SHA-256; no rule lets anyone in without proof.\n"
      "# TYPE  DATABASE  USER  ADDRESS  METHOD\n"
      "local   all       {0}    peer map=pgstack\n"
      "# pgstack testdb's roles: each into the database of its own name only.\n"
      "local   sameuser  +{1}  scram-sha-256\n"
      "host    sameuser  +{1}  127.0.0.1/32  scram-sha-256\n"
      "host    sameuser  +{1}  ::1/128       scram-sha-256\n"
      "local   all       +{1}  reject\n"
      "host    all       +{1}  all           reject\n"
      "local   all       all   scram-sha-256\n"
      "host    all       all   127.0.0.1/32  scram-sha-256\n"
      "host    all       all   ::1/128       scram-sha-256\n",
      superuser, location::kTestdbGroupRole);
  if (!LoopbackOnly(listen)) out += "host    all       all   all           scram-sha-256\n";
  if (env.replication.replicas.value_or(0) > 0) out += ReplicationHbaLines();
  return out;
}

std::string RenderIdent(const std::string& superuser, const std::string& service_user,
                        const std::string& invoking_user) {
  std::string out = "# Written by pgstack: OS users allowed to log in as the superuser by peer.\n";
  out += fmt::format("pgstack  {}  {}\n", service_user, superuser);
  if (invoking_user != service_user)
    out += fmt::format("pgstack  {}  {}\n", invoking_user, superuser);
  return out;
}

namespace {

// One include_dir line appended to initdb's postgresql.conf (backed up first): every later
// setting goes to conf.d/pgstack.conf.
Status AddIncludeDir(const std::string& data_dir) {
  std::string conf = data_dir + "/postgresql.conf";
  PGSTACK_ASSIGN_OR_RETURN(auto text, core::ReadFileIfExists(conf));
  if (!text) return Status::Failure(conf + ": initdb wrote no postgresql.conf");
  PGSTACK_RETURN_IF_ERROR(core::BackupFile(conf).status());
  struct stat st {};
  ::stat(conf.c_str(), &st);
  *text +=
      "\n# Added by pgstack: its settings live in conf.d/pgstack.conf.\ninclude_dir = 'conf.d'\n";
  return core::WriteFileAtomic(conf, *text, st.st_mode & 0777, core::Owner{st.st_uid, st.st_gid});
}

}  // namespace

bool Cluster::Initialized() const { return std::filesystem::exists(paths_.data + "/PG_VERSION"); }

Status Cluster::Init(const InitdbRecipe& recipe, bool sync) {
  return InitInto(paths_.data, recipe, sync);
}

Status Cluster::InitInto(const std::string& dir, const InitdbRecipe& recipe, bool sync) const {
  namespace fs = std::filesystem;
  // initdb writes into dir.init, renamed to dir when whole: an `up` killed during initdb
  // leaves a dir.init the next one deletes, never a data directory that is half a cluster.
  std::string tmp = dir + ".init";
  std::error_code ec;
  fs::remove_all(tmp, ec);
  std::vector<std::string> argv = recipe.InitdbArgs(bin_, tmp);
  if (!sync) argv.push_back("--no-sync");
  Status made = RunAs(runner_, service_, std::move(argv), "initdb");
  if (made.ok()) made = AddIncludeDir(tmp);
  if (made.ok())
    made = core::MakeDirs(tmp + "/conf.d", 0700, core::Owner{service_.uid, service_.gid});
  if (made.ok() && recipe.seed) made = CreateSeed(runner_, service_, bin_, tmp, *recipe.seed);
  if (made.ok() && fs::exists(dir, ec)) fs::remove_all(dir, ec);  // no PG_VERSION
  if (made.ok()) fs::rename(tmp, dir, ec);
  if (made.ok() && ec)
    made = Status::Failure(fmt::format("{}: cannot rename to {}: {}", tmp, dir, ec.message()));
  if (made.ok()) return made;
  fs::remove_all(tmp, ec);  // on a full disk, give the space back
  return IsNoSpace(made) ? NoSpaceError(made, "initdb's new cluster in " + dir) : made;
}

Result<std::vector<std::string>> Cluster::WriteConfig(const core::Environment& env, int port,
                                                      const std::string& invoking_user, bool sync) {
  core::Owner owner{service_.uid, service_.gid};
  std::vector<std::string> changed;
  struct {
    const std::string& path;
    std::string content;
  } files[] = {
      {paths_.pg_conf, RenderPgConf(env, paths_, port)},
      {paths_.hba, RenderHba(env, superuser())},
      {paths_.ident, RenderIdent(superuser(), service_.name, invoking_user)},
  };
  for (auto& f : files) {
    PGSTACK_ASSIGN_OR_RETURN(bool wrote, core::ReplaceFile(f.path, f.content, 0600, owner, sync));
    if (wrote) changed.push_back(std::filesystem::path(f.path).filename().string());
  }
  return changed;
}

Status Cluster::CheckConfig() {
  // -C reads every configuration file as a start would, and works beside a running server.
  Status s = RunAs(runner_, service_, {bin_ + "/postgres", "-D", paths_.data, "-C", "port"},
                   "postgres -C", 30);
  if (s.ok()) return s;
  return Status::InvalidInput(
      fmt::format("PostgreSQL refuses the settings for {}: {}", paths_.pg_conf, s.message()));
}

Status Cluster::WaitIfStopping() {
  // postmaster.pid's 8th line is the server's state: a server shutting down (a down that was
  // killed after it asked for the shutdown) is gone in a moment and must not count as running.
  auto text = core::ReadFileIfExists(paths_.data + "/postmaster.pid");
  if (!text.ok() || !*text) return Status::Ok();
  pid_t pid = core::ParsePid(**text);
  if (!core::ProcessAlive(pid) || (*text)->find("\nstopping") == std::string::npos)
    return Status::Ok();
  return AwaitExit(pid, "to finish stopping");
}

bool Cluster::Running() const {
  return core::ProcessAlive(core::ReadPidFile(paths_.data + "/postmaster.pid"));
}

bool Cluster::AlterSystemEmpty() const {
  auto text = core::ReadFileIfExists(paths_.data + "/postgresql.auto.conf");
  if (!text.ok()) return false;
  if (!*text) return true;
  std::string_view rest = **text;
  while (!rest.empty()) {
    size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? "" : rest.substr(end + 1);
    size_t first = line.find_first_not_of(" \t\r");
    if (first != std::string_view::npos && line[first] != '#') return false;
  }
  return true;
}

Status Cluster::PgCtl(std::vector<std::string> args, const std::string& what) {
  std::vector<std::string> argv = {
      bin_ + "/pg_ctl", "-D", paths_.data, "-l", paths_.pg_log, "-w", "-t", "60", "-s"};
  argv.insert(argv.end(), args.begin(), args.end());
  Status s = RunAs(runner_, service_, argv, what, 90);
  if (!s.ok()) return s.WithContext(fmt::format("see {}", paths_.pg_log));
  return s;
}

Status Cluster::Start() {
  // The postmaster as pg_ctl starts it (no terminal, its output appended to the log, a session
  // that is not ours: the runner's child is a session leader), but not through pg_ctl, which
  // first runs `postgres -V` through a shell and then looks whether the server is up only every
  // 100 ms: together much of a cold `up`. The shell prints the postmaster's pid.
  std::error_code size_ec;
  auto log_size = std::filesystem::file_size(paths_.pg_log, size_ec);
  auto out =
      RunAsForOutput(runner_, service_,
                     {"/bin/sh", "-c", R"(exec "$0" -D "$1" </dev/null >>"$2" 2>&1 & echo $!)",
                      bin_ + "/postgres", paths_.data, paths_.pg_log},
                     "postgres start", 30);
  if (!out.ok()) return out.status().WithContext(fmt::format("see {}", paths_.pg_log));
  pid_t pid = 0;
  auto [end, ec] = std::from_chars(out->data(), out->data() + out->size(), pid);
  if (ec != std::errc() || pid <= 0)
    return Status::Failure(fmt::format("postgres start: no pid from the shell (\"{}\")", *out));
  return AwaitReady(pid, size_ec ? 0 : log_size);
}

Status Cluster::AwaitReady(pid_t pid, uint64_t log_from) {
  const std::string pidfile = paths_.data + "/postmaster.pid";
  Status s = core::WaitUntil(
      {.what = fmt::format("PostgreSQL (pid {}) to accept connections", pid),
       .timeout = std::chrono::seconds(60),
       // A start takes ~40 ms here; a coarser step would cost a cold `up` up to one step more.
       // A read of postmaster.pid every 5 ms costs nothing that shows.
       .backoff = {.first = std::chrono::milliseconds(2),
                   .growth = 1.5,
                   .max = std::chrono::milliseconds(5)}},
      [&] {
        // postmaster.pid: the pid on line 1, the server's state on line 8 ("ready", or "standby"
        // for a replica), as pg_ctl -w reads it.
        auto text = core::ReadFileIfExists(pidfile);
        std::string state;
        if (text.ok() && *text && core::ParsePid(**text) == pid) {
          std::string_view rest = **text;
          for (int line = 1; line < 8 && !rest.empty(); ++line) {
            size_t nl = rest.find('\n');
            rest = nl == std::string_view::npos ? "" : rest.substr(nl + 1);
          }
          state = std::string(rest.substr(0, rest.find_first_of(" \n")));
        }
        if (state == "ready" || state == "standby") return core::Poll::Ready();
        if (!core::ProcessAlive(pid))
          return core::Poll::Fail(Status::Failure(
              fmt::format("PostgreSQL (pid {}) exited while starting{}", pid, LogSince(log_from))));
        return core::Poll::NotYet(state.empty() ? "no postmaster.pid of it yet"
                                                : "its state is " + state);
      });
  if (!s.ok()) return s.WithContext(fmt::format("see {}", paths_.pg_log));
  return s;
}

std::string Cluster::LogSince(uint64_t from) const {
  auto log = core::ReadFileIfExists(paths_.pg_log);
  if (!log.ok() || !*log || (*log)->size() <= from) return "";
  // A server that gave up before its logging was set up (no data directory to speak of) said
  // why on the last lines it wrote, else on its FATAL line.
  std::string words = LastWords(std::string_view(**log).substr(from));
  return words.empty() ? "" : ": " + words;
}
Status Cluster::Stop() {
  if (!bin_.empty()) {
    Status stopped = PgCtl({"-m", "fast", "stop"}, "pg_ctl stop");
    // A server that ended meanwhile (the shutdown a killed down or destroy had asked for) leaves
    // pg_ctl no pid file to read: stopped is what was wanted.
    if (!stopped.ok() && !Running()) return Status::Ok();
    return stopped;
  }
  // No binaries known (a state dir without state.json): the fast shutdown pg_ctl would ask for.
  pid_t pid = core::ReadPidFile(paths_.data + "/postmaster.pid");
  if (!core::ProcessAlive(pid)) return Status::Ok();
  ::kill(pid, SIGINT);
  return AwaitExit(pid, "to stop");
}
// Not `pg_ctl restart`: that runs the command line postgres wrote into postmaster.opts through a
// shell, each argument in double quotes but not escaped, so a data directory whose path holds a
// quote, a dollar or a backquote breaks it (or worse). Start passes the paths as arguments.
Status Cluster::Restart() {
  PGSTACK_RETURN_IF_ERROR(Stop());
  return Start();
}

}  // namespace pgstack::stack
