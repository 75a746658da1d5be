// pgstack up against real PostgreSQL 17 and PgBouncer: the plan's stack, its security
// properties, idempotence, repair, and the lifecycle commands.
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "fixture.h"
#include "pgstack/core/settings.h"

namespace pgstack::testing {
namespace {

namespace fs = std::filesystem;

// One development-environment stack (log_statement=all, as the plan has it) for this file.
TestStack& Dev() {
  static std::unique_ptr<TestStack> s = TestStack::Start("development");
  return *s;
}

std::string Scalar(pg::Connection& c, const std::string& sql) {
  auto r = c.Exec(sql);
  EXPECT_TRUE(r.ok()) << sql << ": " << r.status().message();
  return r.ok() ? r->scalar() : "";
}

mode_t FileMode(const std::string& path) {
  struct stat st {};
  stat(path.c_str(), &st);
  return st.st_mode & 0777;
}

TEST(Up, LogsInDirectlyAndThroughPgBouncer) {
  auto direct = Dev().Direct();
  ASSERT_TRUE(direct.ok()) << direct.status().message();
  EXPECT_EQ(Scalar(*direct, "SHOW server_version_num").substr(0, 2), "17");
  auto pooled = Dev().Pooled();
  ASSERT_TRUE(pooled.ok()) << pooled.status().message();
  // Through PgBouncer the server sees a TCP client on its own port: the pooler connected to it.
  EXPECT_EQ(Scalar(*pooled,
                   "SELECT current_user || ' ' || current_database() || ' ' || inet_server_port()"),
            "test_platform_user test_platform " + std::to_string(Dev().state().pg_port));
  EXPECT_NE(Dev().state().pg_port, Dev().state().pool_port);
}

TEST(Up, EveryPlanSettingIsInEffect) {
  auto c = Dev().Direct();
  ASSERT_TRUE(c.ok());
  for (const auto& [name, value] : Dev().env().postgres.settings) {
    const core::SettingSpec* spec = core::FindSetting(core::Target::kPostgres, name);
    ASSERT_NE(spec, nullptr);
    std::string actual = Scalar(*c, "SHOW " + name);
    EXPECT_TRUE(core::SameSettingValue(*spec, value, actual))
        << name << ": " << value << " vs " << actual;
  }
  EXPECT_EQ(Scalar(*c, "SHOW max_connections"), "200");
  EXPECT_EQ(Scalar(*c, "SHOW shared_buffers"), "256MB");
  EXPECT_EQ(Scalar(*c, "SHOW effective_cache_size"), "1GB");
  EXPECT_EQ(Scalar(*c, "SHOW log_statement"), "all");
}

TEST(Up, ExtensionsAndTheRolesRightToCreateTables) {
  auto c = Dev().Pooled();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(Scalar(*c,
                   "SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension "
                   "WHERE extname LIKE 'btree%'"),
            "btree_gin,btree_gist");
  // As a migration system needs: a table with JSONB and a GIN index in public, as the app role.
  ASSERT_TRUE(c->Run("BEGIN; CREATE TABLE public.up_probe (id uuid PRIMARY KEY DEFAULT "
                     "gen_random_uuid(), data jsonb NOT NULL); CREATE INDEX ON public.up_probe "
                     "USING gin (data); INSERT INTO public.up_probe (data) VALUES ('{\"a\":1}'); "
                     "ROLLBACK")
                  .ok());
}

TEST(Up, NoPlaintextPasswordAnywhereButTheCredentialsFile) {
  const std::string& pw = Dev().endpoints().direct.password;
  ASSERT_GE(pw.size(), 20u);
  // Make sure the log holds the role's creation and a few logins (log_statement=all).
  ASSERT_TRUE(Dev().Pooled().ok());
  location::StatePaths paths(Dev().state_dir());
  EXPECT_NE(ReadText(paths.pg_log).find("CREATE ROLE"), std::string::npos);
  for (const auto& entry : fs::recursive_directory_iterator(Dev().state_dir())) {
    if (!entry.is_regular_file()) continue;
    std::string path = entry.path().string();
    bool has = ReadText(path).find(pw) != std::string::npos;
    if (path == paths.credentials) {
      EXPECT_TRUE(has);
      EXPECT_EQ(FileMode(path), 0600u);
    } else {
      EXPECT_FALSE(has) << "plaintext password in " << path;
    }
  }
}

TEST(Up, UserlistHoldsTheServersVerifierByteForByte) {
  auto su = Dev().Superuser();
  ASSERT_TRUE(su.ok()) << su.status().message();
  std::string verifier =
      Scalar(*su, "SELECT rolpassword FROM pg_authid WHERE rolname = 'test_platform_user'");
  ASSERT_EQ(verifier.rfind("SCRAM-SHA-256$", 0), 0u);
  location::StatePaths paths(Dev().state_dir());
  EXPECT_EQ(ReadText(paths.userlist), "\"test_platform_user\" \"" + verifier + "\"\n");
  EXPECT_EQ(FileMode(paths.userlist), 0600u);
  EXPECT_EQ(FileMode(Dev().state_dir()), 0700u);
  EXPECT_EQ(Scalar(*su, "SELECT count(*) FROM pg_hba_file_rules WHERE auth_method = 'trust'"), "0");
}

TEST(Up, SecondRunChangesNothing) {
  location::StatePaths paths(Dev().state_dir());
  auto before = fs::last_write_time(paths.pg_conf);
  auto userlist_before = fs::last_write_time(paths.userlist);
  auto again = stack::Up(Dev().env(), stack::UpOptions{.state_dir = Dev().state_dir()});
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_TRUE(again->actions.empty()) << stack::ActionLine(again->actions.front());
  EXPECT_EQ(fs::last_write_time(paths.pg_conf), before);
  EXPECT_EQ(fs::last_write_time(paths.userlist), userlist_before);
}

// The cluster's databases start in block groups of their own (core/dir_spread.h), so that
// scratch and test databases made and dropped again and again do not slow each other.
TEST(Up, MarksBaseSoThatNewDatabasesSpreadOverTheDisk) {
  std::string base = location::StatePaths(Dev().state_dir()).data + "/base";
  int fd = ::open(base.c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(fd, 0) << base;
  int flags = 0;
  int got = ::ioctl(fd, FS_IOC_GETFLAGS, &flags);
  ::close(fd);
  if (got != 0) GTEST_SKIP() << "the state dir's filesystem keeps no inode flags";
  EXPECT_NE(flags & FS_TOPDIR_FL, 0) << base << " is not marked the top of a hierarchy";
}

TEST(Up, AWarmUpKeepsANoteOfTheVerifierItChecked) {
  auto own = TestStack::Start("development");  // its own: it damages the note
  location::StatePaths paths(own->state_dir());
  std::string memo = paths.credentials + ".verified";
  ASSERT_EQ(FileMode(memo), 0600u);
  std::string note = ReadText(memo);
  EXPECT_EQ(note.size(), 65u) << note;  // a SHA-256 in hex: neither password nor verifier
  { std::ofstream(memo) << "damaged\n"; }
  auto r = stack::Up(own->env(), stack::UpOptions{.state_dir = own->state_dir()});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->actions.empty()) << stack::ActionLine(
      r->actions.front());  // checked the slow way, and it matched
  EXPECT_EQ(ReadText(memo), note);
}

TEST(Up, AWarmUpFindsAPasswordChangedBehindItsBack) {
  auto own = TestStack::Start("development");  // its own: it changes the role's password
  location::StatePaths paths(own->state_dir());
  std::string userlist_before = ReadText(paths.userlist);
  {
    auto su = own->Superuser();
    ASSERT_TRUE(su.ok()) << su.status().message();
    ASSERT_TRUE(su->Run("ALTER ROLE test_platform_user PASSWORD 'changed-behind-its-back'").ok());
  }
  // PgBouncer still holds the old verifier, which the note vouches for: up must not take that
  // for the server's, and must check the login again after putting both right.
  auto r = stack::Up(own->env(), stack::UpOptions{.state_dir = own->state_dir()});
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->actions.size(), 2u);
  EXPECT_EQ(stack::ActionLine(r->actions[0]), "set the password of role test_platform_user");
  EXPECT_EQ(stack::ActionLine(r->actions[1]), "reloaded PgBouncer (userlist.txt changed)");
  EXPECT_NE(ReadText(paths.userlist), userlist_before);
  auto su = own->Superuser();
  ASSERT_TRUE(su.ok());
  EXPECT_EQ(
      ReadText(paths.userlist),
      "\"test_platform_user\" \"" +
          Scalar(*su, "SELECT rolpassword FROM pg_authid WHERE rolname = 'test_platform_user'") +
          "\"\n");
  EXPECT_TRUE(own->Pooled().ok());
  auto again = stack::Up(own->env(), stack::UpOptions{.state_dir = own->state_dir()});
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_TRUE(again->actions.empty()) << stack::ActionLine(again->actions.front());
}

TEST(Up, ConfigChangesReloadOrRestartOnlyWhatNeedsIt) {
  // Its own stack: it restarts the server and changes settings the other tests read.
  auto own = TestStack::Start("development");
  core::Environment env = own->env();
  auto set = [&env](const std::string& name, const std::string& value) {
    for (auto* list : {&env.postgres.settings, &env.pgbouncer.settings})
      for (auto& [k, v] : *list)
        if (k == name) v = value;
  };
  stack::UpOptions opts{.state_dir = own->state_dir()};
  set("default_pool_size", "21");
  set("effective_cache_size", "2GB");
  auto r = stack::Up(env, opts);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->actions.size(), 2u);
  EXPECT_EQ(stack::ActionLine(r->actions[0]), "reloaded PostgreSQL (pgstack.conf changed)");
  EXPECT_EQ(stack::ActionLine(r->actions[1]), "reloaded PgBouncer (pgbouncer.ini changed)");
  auto c = own->Direct();
  EXPECT_EQ(Scalar(*c, "SHOW effective_cache_size"), "2GB");

  set("max_connections", "150");
  r = stack::Up(env, opts);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->actions.size(), 1u);
  EXPECT_EQ(stack::ActionLine(r->actions[0]),
            "restarted PostgreSQL (pgstack.conf changed; max_connections need a restart)");
  c = own->Direct();
  EXPECT_EQ(Scalar(*c, "SHOW max_connections"), "150");

  // Back to the file's values, which also proves the backups were taken on the way.
  r = stack::Up(own->env(), opts);
  ASSERT_TRUE(r.ok()) << r.status().message();
  int backups = 0;
  for (const auto& e : fs::directory_iterator(location::StatePaths(own->state_dir()).conf_dir))
    backups += e.path().filename().string().find("pgstack.conf.") == 0;
  EXPECT_GE(backups, 3);
  c = own->Direct();
  EXPECT_EQ(Scalar(*c, "SHOW max_connections"), "200");
}

TEST(Up, RestartsAKilledPgBouncer) {
  auto own = TestStack::Start("development");  // its own: it kills PgBouncer
  location::StatePaths paths(own->state_dir());
  pid_t pid = std::stoi(ReadText(paths.pgbouncer_pid));
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  Status gone = WaitFor("the killed PgBouncer to exit", [&] { return !core::ProcessAlive(pid); });
  ASSERT_TRUE(gone.ok()) << gone.message();
  ASSERT_FALSE(own->Pooled().ok());
  auto r = stack::Up(own->env(), stack::UpOptions{.state_dir = own->state_dir()});
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->actions.size(), 1u);
  EXPECT_EQ(r->actions[0].verb, stack::ActionVerb::kStarted);
  EXPECT_EQ(r->actions[0].detail.rfind("PgBouncer on ", 0), 0u) << r->actions[0].detail;
  EXPECT_TRUE(own->Pooled().ok());
}

TEST(Lifecycle, DownThenUpKeepsData) {
  auto own = TestStack::Start("development");  // its own: it stops the stack
  {
    auto c = own->Direct();
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c->Run("CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)").ok());
  }
  auto down = own->Pgstack({"--json", "down"});
  ASSERT_EQ(down.exit_code, 0) << down.output;
  auto st = own->Pgstack({"--json", "status"}, {}, Capture::kStdoutOnly);
  EXPECT_NE(st.output.find("\"running\": false"), std::string::npos) << st.output;
  EXPECT_EQ(st.output.find("\"version\": \"\""), std::string::npos) << st.output;
  EXPECT_EQ(st.exit_code, 5) << "a stopped stack (README: exit 5): " << st.output;
  EXPECT_FALSE(own->Direct().ok());
  // verify says first, once, that the stack is stopped and how to start it; what needs a server
  // is skipped with that reason rather than failed.
  auto verify = own->Pgstack({"verify"});
  EXPECT_EQ(verify.exit_code, static_cast<int>(Code::kCheckFailed)) << verify.output;
  EXPECT_EQ(verify.output.find("pgstack: the stack in " + own->state_dir() + " is stopped: `"), 0u)
      << verify.output;
  EXPECT_NE(verify.output.find(" up` starts it"), std::string::npos) << verify.output;
  auto report = nlohmann::json::parse(
      own->Pgstack({"--json", "verify"}, {}, Capture::kStdoutOnly).output, nullptr, false);
  ASSERT_TRUE(report.contains("checks")) << report.dump();
  int skipped = 0;
  for (const auto& c : report["checks"]) {
    // What can look, looks: the running checks find the servers stopped.
    if (!c["id"].get<std::string>().ends_with(".running")) {
      EXPECT_NE(c["status"], "fail") << c.dump();
    }
    skipped += c["status"] == "skip" && c["detail"] == "skipped: the stack is stopped";
  }
  EXPECT_GT(skipped, 10) << report.dump();
  auto again = own->Pgstack({"down"});
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("already stopped"), std::string::npos) << again.output;
  auto up = own->Pgstack({"--json", "up"}, {}, Capture::kStdoutOnly);
  ASSERT_EQ(up.exit_code, 0) << up.output;
  auto actions = nlohmann::json::parse(up.output, nullptr, false)["actions"];
  ASSERT_FALSE(actions.empty()) << up.output;
  EXPECT_EQ(actions[0]["action"], "started") << up.output;  // a verb, not a sentence
  EXPECT_EQ(actions[0]["detail"].get<std::string>().rfind("PostgreSQL on ", 0), 0u) << up.output;
  auto c = own->Pooled();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(Scalar(*c, "SELECT v FROM kept"), "42");
  ASSERT_TRUE(c->Run("DROP TABLE kept").ok());
}

TEST(Lifecycle, EnvPointsAtThePoolerOrTheServer) {
  auto pooled = Dev().Pgstack({"env"});
  ASSERT_EQ(pooled.exit_code, 0);
  EXPECT_NE(pooled.output.find("export PGPORT='" + std::to_string(Dev().state().pool_port) + "'"),
            std::string::npos)
      << pooled.output;
  EXPECT_NE(pooled.output.find("export PGUSER='test_platform_user'"), std::string::npos);
  EXPECT_NE(pooled.output.find("export PGDATABASE='test_platform'"), std::string::npos);
  EXPECT_NE(pooled.output.find("export PGPASSWORD='" + Dev().endpoints().pooled.password + "'"),
            std::string::npos);
  EXPECT_NE(pooled.output.find("DATABASE_URL='postgresql://test_platform_user:"),
            std::string::npos);
  auto direct = Dev().Pgstack({"env", "--direct"});
  EXPECT_NE(direct.output.find("export PGPORT='" + std::to_string(Dev().state().pg_port) + "'"),
            std::string::npos);
}

// A script reads up's document, not its sentences: each action a verb and its detail, and both
// endpoints, never a password.
TEST(Lifecycle, UpJsonHasStructuredActionsAndEndpoints) {
  auto out = Dev().Pgstack({"--json", "up"}, {}, Capture::kStdoutOnly);
  ASSERT_EQ(out.exit_code, 0) << out.output;
  auto doc = nlohmann::json::parse(out.output, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << out.output;
  ASSERT_TRUE(doc["actions"].is_array()) << out.output;
  for (const auto& a : doc["actions"]) {
    EXPECT_TRUE(a["action"].is_string() && a["detail"].is_string()) << a.dump();
  }
  const auto& ep = doc["endpoints"];
  EXPECT_EQ(ep["direct"]["port"], Dev().state().pg_port) << out.output;
  EXPECT_EQ(ep["pooled"]["port"], Dev().state().pool_port) << out.output;
  EXPECT_EQ(ep["pooled"]["database"], "test_platform") << out.output;
  EXPECT_EQ(ep["direct"]["user"], "test_platform_user") << out.output;
  EXPECT_FALSE(ep["direct"].contains("password")) << out.output;
  EXPECT_EQ(out.output.find(Dev().endpoints().direct.password), std::string::npos);
}

TEST(Lifecycle, StatusReportsWhatRuns) {
  auto st = Dev().Pgstack({"--json", "status"});
  ASSERT_EQ(st.exit_code, 0);
  EXPECT_NE(st.output.find("\"version\": \"17."), std::string::npos) << st.output;
  EXPECT_NE(st.output.find("\"port\": " + std::to_string(Dev().state().pool_port)),
            std::string::npos);
  // The development environment is durable; test mode is the exception (cache_test.cpp).
  EXPECT_NE(st.output.find("\"durability\": \"on\""), std::string::npos) << st.output;
}

// Bad input: one clear line, exit 2, and no state directory left behind.
class BadInput : public ::testing::Test {
 protected:
  std::string fresh_ = TempDir("bad") + "/state";
  core::CommandOutput Up(std::vector<std::string> extra, const std::string& config = "") {
    std::vector<std::string> args = {
        "--config", config.empty() ? SourceDir() + "/config/database.json" : config, "--state-dir",
        fresh_, "up"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunPgstack(args);
  }
  void ExpectRefused(const core::CommandOutput& out, const std::string& names) {
    EXPECT_EQ(out.exit_code, 2) << out.output;
    EXPECT_NE(out.output.find(names), std::string::npos) << out.output;
    EXPECT_EQ(std::count(out.output.begin(), out.output.end(), '\n'), 1) << out.output;
    EXPECT_FALSE(fs::exists(fresh_)) << "bad input changed something";
  }
  std::string WriteConfig(const std::string& text) {
    std::string path = TempDir("cfg") + "/database.json";
    std::ofstream(path) << text;
    return path;
  }
};

TEST_F(BadInput, PortTakenByAnotherProgram) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  listen(fd, 1);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  std::string port = std::to_string(ntohs(a.sin_port));
  ExpectRefused(Up({"--pg-port", port, "--pool-port", "0"}), "port " + port + " on 127.0.0.1");
  close(fd);
}

TEST_F(BadInput, PostgreSQL15Binaries) {
  if (!fs::exists("/usr/lib/postgresql/15/bin/postgres")) GTEST_SKIP() << "no PostgreSQL 15 here";
  ExpectRefused(
      Up({"--pg-bin", "/usr/lib/postgresql/15/bin", "--pg-port", "0", "--pool-port", "0"}),
      "PostgreSQL 15");
}

TEST_F(BadInput, MissingConfigFile) {
  ExpectRefused(Up({}, "/nonexistent/database.json"), "/nonexistent/database.json");
}

TEST_F(BadInput, InvalidJson) {
  ExpectRefused(Up({}, WriteConfig("{\"environments\": {\n  \"development\": }\n}")),
                "line 2, column 18");
}

TEST_F(BadInput, UnknownKeyAndWrongType) {
  std::string text = ReadText(SourceDir() + "/config/database.json");
  std::string unknown = text;
  unknown.replace(unknown.find("\"extensions\""), 12, "\"extension\"");
  ExpectRefused(Up({}, WriteConfig(unknown)), "$.defaults.postgres.extension: unknown key");
  std::string in_env = text;
  in_env.replace(in_env.find("\"port\": 5432"), 12, "\"prot\": 5432");
  ExpectRefused(Up({}, WriteConfig(in_env)),
                "$.environments.development.postgres.prot: unknown key");
  std::string wrong = text;
  wrong.replace(wrong.find("\"max_connections\": 200"), 22, "\"max_connections\": \"lots\"");
  ExpectRefused(Up({}, WriteConfig(wrong)), "max_connections: must be an integer, not \"lots\"");
}

TEST_F(BadInput, DurabilityOffInExternalMode) {
  std::string text = ReadText(SourceDir() + "/config/database.json");
  std::string prod = "\"production\": {\n      \"mode\": \"external\",";
  ASSERT_NE(text.find(prod), std::string::npos);
  text.replace(text.find(prod), prod.size(), prod + " \"durability\": \"off\",");
  auto out = RunPgstack(
      {"--config", WriteConfig(text), "--env", "production", "--state-dir", fresh_, "up"},
      {{"PGSTACK_ADMIN_URL", "postgresql://nobody@127.0.0.1:1/postgres"}});
  ExpectRefused(out, "$.environments.production.durability");
}

TEST_F(BadInput, StateDirOfAnotherStack) {
  auto out = RunPgstack({"--config", SourceDir() + "/config/database.json", "--env", "test",
                         "--state-dir", Dev().state_dir(), "up"});
  EXPECT_EQ(out.exit_code, 2) << out.output;
  EXPECT_NE(out.output.find(Dev().state_dir() +
                            " holds the stack of environment 'development', not 'test'"),
            std::string::npos)
      << out.output;
}

// A command on a state dir uses the environment its stack was made with: a plain `verify` of a
// stack made with --env test checks test mode's settings (durability off), not development's.
TEST(Lifecycle, CommandsUseTheStacksOwnEnvironment) {
  const TestStack& test = TestStack::Shared();
  ASSERT_EQ(test.state().environment, "test");
  std::vector<std::string> plain = {"--config", SourceDir() + "/config/database.json",
                                    "--state-dir", test.state_dir()};
  auto with = [&](std::vector<std::string> more) {
    std::vector<std::string> args = plain;
    args.insert(args.end(), more.begin(), more.end());
    return RunPgstack(args);
  };
  auto verify = with({"verify", "--check", "postgres.durability", "--check", "postgres.settings"});
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  auto named = with({"--env", "development", "verify", "--check", "postgres.durability"});
  EXPECT_EQ(named.exit_code, 2) << named.output;
  EXPECT_NE(named.output.find("holds the stack of environment 'test', not 'development'"),
            std::string::npos)
      << named.output;
  auto from_var = RunPgstack(
      {"--config", SourceDir() + "/config/database.json", "--state-dir", test.state_dir(), "env"},
      {{"PGSTACK_ENV", "development"}});
  EXPECT_EQ(from_var.exit_code, 2) << from_var.output;
}

TEST_F(BadInput, EmptyPasswordVariableInANonLocalEnvironment) {
  auto out =
      RunPgstack({"--config", SourceDir() + "/config/database.json", "--env", "production", "env"},
                 {{"TEST_PLATFORM_DB_PASSWORD", ""}});
  EXPECT_EQ(out.exit_code, 2) << out.output;
  EXPECT_NE(out.output.find("TEST_PLATFORM_DB_PASSWORD is empty"), std::string::npos) << out.output;
}

TEST_F(BadInput, StateDirTheServiceUserCannotReach) {
  if (geteuid() != 0) GTEST_SKIP() << "only root runs the servers as another user";
  std::string closed = TempDir("closed");
  chmod(closed.c_str(), 0700);
  fresh_ = closed + "/state";
  ExpectRefused(Up({"--pg-port", "0", "--pool-port", "0"}), closed + ": OS user ");
}

TEST(Lifecycle, RelativeStateDirAsInTheReadme) {
  // The README's `pgstack up` uses the default state dir, .pgstack, relative to the project.
  std::string project = TempDir("project");
  std::string before = fs::current_path().string();
  ASSERT_EQ(chdir(project.c_str()), 0);
  std::vector<std::string> base = {"--config",    SourceDir() + "/config/database.json",
                                   "--env",       "test",
                                   "--state-dir", ".pgstack"};
  auto run = [&base](std::vector<std::string> more) {
    std::vector<std::string> args = base;
    args.insert(args.end(), more.begin(), more.end());
    return RunPgstack(args);
  };
  auto up = run({"up", "--pg-port", "0", "--pool-port", "0"});
  auto verify_login = run({"env"});
  auto destroy = run({"destroy", "--yes"});
  ASSERT_EQ(chdir(before.c_str()), 0);
  EXPECT_EQ(up.exit_code, 0) << up.output;
  EXPECT_NE(verify_login.output.find("export PGPORT="), std::string::npos) << verify_login.output;
  EXPECT_EQ(destroy.exit_code, 0) << destroy.output;
  EXPECT_FALSE(fs::exists(project + "/.pgstack"));
}

TEST(Lifecycle, DestroyNeedsYesThenDeletes) {
  auto s = TestStack::Start("test");
  auto no = s->Pgstack({"destroy"});
  EXPECT_EQ(no.exit_code, 2);
  EXPECT_TRUE(fs::exists(s->state_dir()));
  auto yes = s->Pgstack({"destroy", "--yes"});
  EXPECT_EQ(yes.exit_code, 0) << yes.output;
  EXPECT_FALSE(fs::exists(s->state_dir()));
}

}  // namespace
}  // namespace pgstack::testing
