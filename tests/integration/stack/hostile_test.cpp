// The stack as a hostile user, or bad luck, treats it (issue 12): refused input that starts
// nothing, `up`s killed or racing on one state dir, a `destroy` killed half way, another stack's
// PGPASSWORD in the environment, a loosened credentials file, a lock held elsewhere. And the
// fault suite: kill -9 of up, down and destroy at seeded random points, after which the state
// dir is still one pgstack uses or removes.
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "fixture.h"
#include "pgstack/core/wait.h"
#include "pgstack/location/stack_state.h"
#include "verify/verify_helpers.h"

namespace pgstack::testing {
namespace {

namespace fs = std::filesystem;

std::string Config() { return SourceDir() + "/config/database.json"; }

// pgstack with the test environment's config on state dir `dir`.
core::CommandOutput Pg(const std::string& dir, std::vector<std::string> args,
                       const std::map<std::string, std::string>& env = {}) {
  std::vector<std::string> full = {"--config", Config(), "--env", "test", "--state-dir", dir};
  full.insert(full.end(), args.begin(), args.end());
  return RunPgstack(full, env);
}

core::CommandOutput UpFree(const std::string& dir,
                           const std::map<std::string, std::string>& env = {}) {
  return Pg(dir, {"up", "--pg-port", "0", "--pool-port", "0"}, env);
}

// Starts pgstack in the background (output discarded); the caller kills and reaps it.
pid_t Spawn(const std::string& dir, std::vector<std::string> args) {
  // The pgstack binary is built beside this one.
  std::string bin = (fs::read_symlink("/proc/self/exe").parent_path() / "pgstack").string();
  std::vector<std::string> full = {bin, "--config", Config(), "--env", "test", "--state-dir", dir};
  full.insert(full.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : full) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

void KillAndReap(pid_t pid) {
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
}

bool OneLine(const std::string& out) { return std::count(out.begin(), out.end(), '\n') == 1; }

// After whatever happened to dir: `up` finishes the stack, then `destroy --yes` removes it all
// and leaves nothing running.
void ExpectUsableThenRemovable(const std::string& dir, const std::string& after) {
  auto up = UpFree(dir);
  EXPECT_EQ(up.exit_code, 0) << after << ": " << up.output;
  auto status = Pg(dir, {"--json", "status"});
  EXPECT_EQ(status.exit_code, 0) << after << ": " << status.output;
  EXPECT_NE(status.output.find("\"complete\": true"), std::string::npos) << status.output;
  auto destroy = Pg(dir, {"destroy", "--yes"});
  EXPECT_EQ(destroy.exit_code, 0) << after << ": " << destroy.output;
  EXPECT_FALSE(fs::exists(dir)) << after;
  EXPECT_TRUE(ProcessesIn(dir).empty()) << after << ": a server still runs in " << dir;
}

TEST(Hostile, RefusedConfigStartsNothingAndLeavesNothing) {
  std::string dir = TempDir("refused") + "/s";
  std::string text = ReadText(Config());
  std::string ext = "\"extensions\": [\"btree_gin\", \"btree_gist\"]";
  ASSERT_NE(text.find(ext), std::string::npos);
  text.replace(text.find(ext), ext.size(), "\"extensions\": [\"btree_gin\", \"no_such_ext\"]");
  std::string cfg = TempDir("cfg") + "/database.json";
  std::ofstream(cfg) << text;
  auto out = RunPgstack({"--config", cfg, "--env", "test", "--state-dir", dir, "up", "--pg-port",
                         "0", "--pool-port", "0"});
  EXPECT_EQ(out.exit_code, 2) << out.output;
  EXPECT_NE(out.output.find("extension \"no_such_ext\" is not available"), std::string::npos)
      << out.output;
  EXPECT_TRUE(OneLine(out.output)) << out.output;
  EXPECT_FALSE(fs::exists(dir));
  EXPECT_TRUE(ProcessesIn(dir).empty());
}

// The first `up` killed once it has written its provisional state (the kill -9 the issue found
// stranding a running PostgreSQL that no command would touch).
TEST(Hostile, KilledFirstUpIsFinishedByTheNext) {
  std::string dir = TempDir("killed") + "/s";
  pid_t pid = Spawn(dir, {"up", "--pg-port", "0", "--pool-port", "0"});
  Status written =
      WaitFor("the first up to write its state", [&] { return fs::exists(dir + "/state.json"); });
  KillAndReap(pid);
  ASSERT_TRUE(written.ok()) << written.message();
  auto status = Pg(dir, {"status"});
  EXPECT_NE(status.exit_code, 0) << "status of a half-made stack said OK: " << status.output;
  EXPECT_NE(status.output.find("did not finish"), std::string::npos) << status.output;
  ExpectUsableThenRemovable(dir, "a killed first up");
}

TEST(Hostile, DownAndDestroyHandleAKilledFirstUp) {
  std::string dir = TempDir("killed2") + "/s";
  pid_t pid = Spawn(dir, {"up", "--pg-port", "0", "--pool-port", "0"});
  Status started = WaitFor("the first up to start PostgreSQL",
                           [&] { return fs::exists(dir + "/data/postmaster.pid"); });
  KillAndReap(pid);
  ASSERT_TRUE(started.ok()) << started.message();
  auto down = Pg(dir, {"down"});
  EXPECT_EQ(down.exit_code, 0) << down.output;
  EXPECT_TRUE(ProcessesIn(dir).empty());
  auto destroy = Pg(dir, {"destroy", "--yes"});
  EXPECT_EQ(destroy.exit_code, 0) << destroy.output;
  EXPECT_FALSE(fs::exists(dir));
}

TEST(Hostile, ConcurrentFirstUpsAllSucceedOnOneStack) {
  std::string dir = TempDir("race") + "/s";
  std::vector<core::CommandOutput> outs(4);
  std::vector<std::thread> threads;
  for (auto& out : outs) threads.emplace_back([&out, &dir] { out = UpFree(dir); });
  for (auto& t : threads) t.join();
  for (const auto& out : outs) EXPECT_EQ(out.exit_code, 0) << out.output;
  auto state = location::LoadState(dir);
  ASSERT_TRUE(state.ok()) << state.status().message();
  // The server listens on the port state.json and pgstack.conf name.
  location::StatePaths paths(dir);
  EXPECT_NE(ReadText(paths.pg_conf).find("port = " + std::to_string(state->pg_port) + "\n"),
            std::string::npos);
  auto env = Pg(dir, {"env", "--direct"});
  EXPECT_NE(env.output.find("PGPORT='" + std::to_string(state->pg_port) + "'"), std::string::npos);
  auto verify = Pg(dir, {"verify", "--check", "postgres"});
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_EQ(Pg(dir, {"destroy", "--yes"}).exit_code, 0);
}

// A destroy killed after it deleted state.json (or before it got to data/ and run/) is finished
// by the next one; credentials go first.
TEST(Hostile, DestroyFinishesAPartialStateDir) {
  std::string dir = TempDir("partial") + "/s";
  ASSERT_EQ(UpFree(dir).exit_code, 0);
  fs::remove(dir + "/state.json");  // servers still run, state.json is gone
  auto status = Pg(dir, {"--json", "status"});
  EXPECT_NE(status.output.find("\"running\": true"), std::string::npos) << status.output;
  auto destroy = Pg(dir, {"destroy", "--yes"});
  EXPECT_EQ(destroy.exit_code, 0) << destroy.output;
  EXPECT_FALSE(fs::exists(dir));
  EXPECT_TRUE(ProcessesIn(dir).empty());
}

TEST(Hostile, DestroyRefusesADirectoryThatIsNotPgstacks) {
  std::string dir = TempDir("foreign");
  std::ofstream(dir + "/thesis.tex") << "years of work";
  auto destroy = Pg(dir, {"destroy", "--yes"});
  EXPECT_EQ(destroy.exit_code, 2) << destroy.output;
  EXPECT_NE(destroy.output.find("thesis.tex"), std::string::npos) << destroy.output;
  EXPECT_TRUE(fs::exists(dir + "/thesis.tex"));
}

// `eval "$(pgstack --state-dir A env)"` and then `pgstack --state-dir B up`: B keeps its own
// password, and `env` of B prints B's.
TEST(Hostile, AnotherStacksPgpasswordChangesNothing) {
  std::string dir = TempDir("foreignpw") + "/s";
  ASSERT_EQ(UpFree(dir).exit_code, 0);
  std::map<std::string, std::string> a = {
      {"PGPASSWORD", "stack-a-password"},
      {"PGUSER", "someone_else"},
      {"PGDATABASE", "elsewhere"},
      {"DATABASE_URL", "postgresql://x:stack-a-password@h:1/d"}};
  auto up = UpFree(dir, a);
  EXPECT_EQ(up.exit_code, 0) << up.output;
  EXPECT_EQ(up.output.find("set the password"), std::string::npos) << up.output;
  auto env = Pg(dir, {"env"}, a);
  EXPECT_EQ(env.output.find("stack-a-password"), std::string::npos) << env.output;
  EXPECT_NE(env.output.find("PGUSER='test_platform_user'"), std::string::npos) << env.output;
  auto verify = Pg(dir, {"verify", "--check", "security"}, a);
  EXPECT_EQ(verify.output.find("authentication failed"), std::string::npos) << verify.output;
  EXPECT_EQ(Pg(dir, {"destroy", "--yes"}).exit_code, 0);
}

// libpq reads many more variables than PGPASSWORD; none of them reaches pgstack's own
// connections to its local stack (each of these failed verify checks, or the login).
TEST(Hostile, LibpqVariablesChangeNothingOnALocalStack) {
  std::string dir = TempDir("libpqenv") + "/s";
  ASSERT_EQ(UpFree(dir).exit_code, 0);
  for (const auto& [name, value] : std::map<std::string, std::string>{
           {"PGSERVICE", "no_such_service"},
           {"PGOPTIONS", "-c statement_timeout=1 -c search_path=nowhere"},
           {"PGTARGETSESSIONATTRS", "standby"}}) {
    SCOPED_TRACE(name);
    auto up = UpFree(dir, {{name, value}});
    EXPECT_EQ(up.exit_code, 0) << up.output;
    auto verify =
        Pg(dir, {"verify", "--check", "postgres", "--check", "pgbouncer"}, {{name, value}});
    EXPECT_EQ(verify.exit_code, 0) << verify.output;
  }
  EXPECT_EQ(Pg(dir, {"destroy", "--yes"}).exit_code, 0);
}

// The config's password variable in the caller's environment sets the role's password, and is
// kept: `env` and `verify` without it (another shell) use the password the role has, and the
// next `up` without it changes nothing back.
TEST(Hostile, ThePasswordVariableIsTheRolesPasswordForEveryCommand) {
  std::string dir = TempDir("pwvar") + "/s";
  ASSERT_EQ(UpFree(dir).exit_code, 0);
  std::map<std::string, std::string> var = {{"TEST_PLATFORM_DB_PASSWORD", "from-the-variable"}};
  auto up = Pg(dir, {"up"}, var);
  ASSERT_EQ(up.exit_code, 0) << up.output;
  EXPECT_NE(up.output.find("took the password of test_platform_user from "
                           "$TEST_PLATFORM_DB_PASSWORD and keeps it in " +
                           location::StatePaths(dir).credentials),
            std::string::npos)
      << up.output;
  EXPECT_NE(up.output.find("password          $TEST_PLATFORM_DB_PASSWORD"), std::string::npos)
      << up.output;
  auto env = Pg(dir, {"env"});
  EXPECT_NE(env.output.find("PGPASSWORD='from-the-variable'"), std::string::npos) << env.output;
  auto verify = Pg(dir, {"verify", "--check", "postgres", "--check", "pgbouncer"});
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  auto again = Pg(dir, {"up"});
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("nothing to change"), std::string::npos) << again.output;
  EXPECT_NE(again.output.find("password          " + location::StatePaths(dir).credentials),
            std::string::npos)
      << again.output;
  EXPECT_EQ(Pg(dir, {"destroy", "--yes"}).exit_code, 0);
}

TEST(Hostile, UpMakesALoosenedCredentialsFilePrivateAgain) {
  std::string dir = TempDir("modes") + "/s";
  ASSERT_EQ(UpFree(dir).exit_code, 0);
  location::StatePaths paths(dir);
  ASSERT_EQ(chmod(paths.credentials.c_str(), 0644), 0);
  auto up = UpFree(dir);
  EXPECT_EQ(up.exit_code, 0) << up.output;
  struct stat st {};
  ASSERT_EQ(stat(paths.credentials.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_NE(up.output.find("private again (mode 0644"), std::string::npos) << up.output;
  EXPECT_EQ(Pg(dir, {"destroy", "--yes"}).exit_code, 0);
}

TEST(Hostile, LockWaitIsBoundedAndNamesItsHolder) {
  std::string dir = TempDir("locked") + "/s";
  ASSERT_EQ(UpFree(dir).exit_code, 0);
  location::StatePaths paths(dir);
  int fd = open(paths.lock_file.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(flock(fd, LOCK_EX), 0);
  std::string me = "pid " + std::to_string(getpid()) + " (a test)\n";
  ASSERT_EQ(pwrite(fd, me.data(), me.size(), 0), static_cast<ssize_t>(me.size()));
  auto down = Pg(dir, {"down"}, {{"PGSTACK_LOCK_TIMEOUT", "0.5"}});
  EXPECT_EQ(down.exit_code, 4) << down.output;
  std::string held = "held by pid " + std::to_string(getpid()) + " (a test)";
  // Said when the wait starts, before the wait ends in failure.
  size_t waiting = down.output.find("waiting for the lock of " + dir + " (" + held + ")");
  EXPECT_NE(waiting, std::string::npos) << down.output;
  // Bounded by PGSTACK_LOCK_TIMEOUT, the bound core::WaitUntil keeps (unit-tested on its clock).
  EXPECT_LT(waiting, down.output.find("gave up waiting")) << down.output;
  EXPECT_NE(down.output.find("gave up waiting for the lock of " + dir), std::string::npos)
      << down.output;
  EXPECT_NE(down.output.find(" after 500 ms"), std::string::npos) << down.output;

  // The file names a pid that has exited (its holder handed the lock on): the live holder is
  // named, by the kernel's word.
  pid_t gone = fork();
  if (gone == 0) _exit(0);
  ASSERT_EQ(waitpid(gone, nullptr, 0), gone);
  std::string stale = "pid " + std::to_string(gone) + " (pgstack up)\n";
  ASSERT_EQ(ftruncate(fd, 0), 0);
  ASSERT_EQ(pwrite(fd, stale.data(), stale.size(), 0), static_cast<ssize_t>(stale.size()));
  auto again = Pg(dir, {"destroy", "--yes"}, {{"PGSTACK_LOCK_TIMEOUT", "0.2"}});
  EXPECT_EQ(again.exit_code, 4) << again.output;
  EXPECT_EQ(again.output.find(std::to_string(gone)), std::string::npos) << again.output;
  EXPECT_NE(
      again.output.find(fmt::format("held by pid {} ({})", getpid(), core::ProcessName(getpid()))),
      std::string::npos)
      << again.output;
  close(fd);
  EXPECT_EQ(Pg(dir, {"destroy", "--yes"}).exit_code, 0);
}

TEST(Hostile, StateDirThatCannotBeOne) {
  auto empty = RunPgstack({"--config", Config(), "--env", "test", "--state-dir", "", "status"});
  EXPECT_EQ(empty.exit_code, 2) << empty.output;
  EXPECT_TRUE(OneLine(empty.output)) << empty.output;
  EXPECT_EQ(empty.output.find("internal error"), std::string::npos) << empty.output;
  std::string file = TempDir("file") + "/regular";
  std::ofstream(file) << "x";
  for (const char* cmd : {"up", "down", "status", "destroy"}) {
    std::vector<std::string> args = {cmd};
    if (std::string(cmd) == "destroy") args.push_back("--yes");
    auto out = Pg(file, args);
    EXPECT_EQ(out.exit_code, 2) << cmd << ": " << out.output;
    EXPECT_NE(out.output.find(file + ": not a directory"), std::string::npos) << out.output;
  }
  EXPECT_TRUE(fs::exists(file));
}

// An `up` of `own` with max_connections at a value of the right type that the server will not
// start with; its outcome.
Status UpWithARejectedSetting(const TestStack& own) {
  core::Environment env = own.env();
  for (auto& [k, v] : env.postgres.settings)
    if (k == "max_connections") v = "300000";
  return stack::Up(env, stack::UpOptions{.state_dir = own.state_dir()}).status();
}

// A value of the right type that the server would not start with (max_connections 300000 got
// past an older config parser): asked of PostgreSQL before the running server sees it, undone.
TEST(Hostile, ASettingTheServerRejectsIsUndone) {
  auto own = TestStack::Start("test");
  location::StatePaths paths(own->state_dir());
  std::string before = ReadText(paths.pg_conf);
  Status r = UpWithARejectedSetting(*own);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Code::kInvalidInput) << r.message();
  EXPECT_NE(r.message().find("max_connections"), std::string::npos) << r.message();
  EXPECT_EQ(ReadText(paths.pg_conf), before);
  auto c = own->Direct();
  ASSERT_TRUE(c.ok()) << c.status().message();
  auto shown = c->Exec("SHOW max_connections");
  ASSERT_TRUE(shown.ok());
  EXPECT_EQ(shown->scalar(), "200");
}

// A server that exits while it starts (here: its pg_control is gone) fails the `up` at once,
// not after the start's one-minute bound, with the server's reason and its log named, and leaves
// nothing running.
TEST(Hostile, AServerThatExitsWhileStartingFailsTheUpAtOnceNamingItsLog) {
  std::string dir = TempDir("nostart") + "/s";
  ASSERT_EQ(UpFree(dir).exit_code, 0);
  ASSERT_EQ(Pg(dir, {"down"}).exit_code, 0);
  location::StatePaths paths(dir);
  fs::rename(paths.data + "/global/pg_control", paths.data + "/global/pg_control.away");
  auto up = Pg(dir, {"up"});
  EXPECT_NE(up.exit_code, 0) << up.output;
  // Seen exiting, not given up on at the end of the start's bound.
  EXPECT_EQ(up.output.find("gave up waiting"), std::string::npos) << up.output;
  EXPECT_NE(up.output.find(paths.pg_log), std::string::npos) << up.output;
  EXPECT_NE(up.output.find("exited while starting"), std::string::npos) << up.output;
  EXPECT_NE(up.output.find("global/pg_control\": No such file"), std::string::npos) << up.output;
  EXPECT_TRUE(ProcessesIn(paths.data).empty()) << up.output;
  EXPECT_EQ(Pg(dir, {"destroy", "--yes"}).exit_code, 0);
}

// The same for a stopped server: the start that fails on the value asks the server why, and the
// old file comes back; nothing is left running, and the next `up` starts as before.
TEST(Hostile, ASettingTheServerRejectsIsUndoneWhenTheServerWasStopped) {
  auto own = TestStack::Start("test");
  location::StatePaths paths(own->state_dir());
  std::string before = ReadText(paths.pg_conf);
  ASSERT_TRUE(stack::Down(own->state_dir(), core::SystemProcessRunner()).ok());
  Status r = UpWithARejectedSetting(*own);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Code::kInvalidInput) << r.message();
  EXPECT_NE(r.message().find("max_connections"), std::string::npos) << r.message();
  EXPECT_NE(r.message().find("restored"), std::string::npos) << r.message();
  EXPECT_EQ(ReadText(paths.pg_conf), before);
  EXPECT_TRUE(ProcessesIn(paths.data).empty());
  auto again = stack::Up(own->env(), stack::UpOptions{.state_dir = own->state_dir()});
  ASSERT_TRUE(again.ok()) << again.status().message();
}

// Runs `up` on `own` and expects one of its actions to start with `said`.
void UpSaysItReset(TestStack& own, const std::string& said) {
  auto r = stack::Up(own.env(), stack::UpOptions{.state_dir = own.state_dir()});
  ASSERT_TRUE(r.ok()) << r.status().message();
  bool found = false;
  for (const auto& a : r->actions) found = found || stack::ActionLine(a).find(said) == 0;
  EXPECT_TRUE(found) << (r->actions.empty() ? "no actions" : stack::ActionLine(r->actions.front()));
}

TEST(Hostile, UpResetsAlterSystemOverridesOfItsSettings) {
  auto own = TestStack::Start("test");
  {
    auto su = own->Superuser();
    ASSERT_TRUE(su.ok()) << su.status().message();
    ASSERT_TRUE(su->Run("ALTER SYSTEM SET effective_cache_size = '3GB'").ok());
  }
  UpSaysItReset(*own, "reset ALTER SYSTEM overrides of effective_cache_size");
  auto c = own->Direct();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->Exec("SHOW effective_cache_size")->scalar(), "1GB");
  auto su = own->Superuser();
  ASSERT_TRUE(su.ok());
  EXPECT_EQ(su->Exec("SELECT count(*) FROM pg_file_settings WHERE sourcefile LIKE "
                     "'%postgresql.auto.conf' AND name = 'effective_cache_size'")
                ->scalar(),
            "0");
}

// fsync and full_page_writes are pgstack's (from "durability") though the config never names
// them: an ALTER SYSTEM that turns them off on a durable stack fails verify, and `up` undoes it.
TEST(Hostile, UpResetsAlterSystemOverridesOfDurability) {
  auto own = TestStack::Start("development");  // its own, and durable: it changes settings
  auto durability = [&own] {
    Verdict v = RunVerify(*own, {"--check", "postgres.durability"});
    return v.status.contains("postgres.durability") ? v.status["postgres.durability"] : v.output;
  };
  {
    auto su = own->Superuser();
    ASSERT_TRUE(su.ok()) << su.status().message();
    ASSERT_TRUE(su->Run("ALTER SYSTEM SET fsync = off").ok());
    ASSERT_TRUE(su->Run("ALTER SYSTEM SET full_page_writes = off").ok());
    ASSERT_TRUE(su->Run("SELECT pg_reload_conf()").ok());
  }
  ASSERT_TRUE(WaitFor("the server to read fsync = off", [&own] {
                auto c = own->Direct();
                return c.ok() && c->Exec("SHOW fsync")->scalar() == "off";
              }).ok());
  EXPECT_EQ(durability(), "fail");
  UpSaysItReset(*own, "reset ALTER SYSTEM overrides of fsync, full_page_writes");
  auto c = own->Direct();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->Exec("SHOW fsync")->scalar(), "on");
  EXPECT_EQ(c->Exec("SHOW full_page_writes")->scalar(), "on");
  EXPECT_EQ(durability(), "pass");
  Verdict postgres = RunVerify(*own, {"--check", "postgres"});
  EXPECT_EQ(postgres.exit_code, 0) << postgres.output;
}

// The role's password changed behind pgstack's back: every command that logs in says, in one
// line, that authentication failed for which role where, and what puts it right; none advises
// `pgstack up` as if the stack were down. Then `up` sets the password again.
TEST(Hostile, ARefusedPasswordIsReportedAsOne) {
  auto own = TestStack::Start("test");
  {
    auto su = own->Superuser();
    ASSERT_TRUE(su.ok()) << su.status().message();
    ASSERT_TRUE(
        su->Run("ALTER ROLE " + own->env().postgres.user + " PASSWORD 'changed-behind-its-back'")
            .ok());
  }
  std::string dir = TempDir("authmig");
  WriteText(dir + "/0001_a.sql", "-- pgstack:up\nSELECT 1;\n-- pgstack:down\nSELECT 1;\n");
  const std::string role = own->env().postgres.user;
  const std::string direct = fmt::format("127.0.0.1:{}", own->endpoints().direct.port);
  auto expect_auth_line = [&](const core::CommandOutput& out, const std::string& what) {
    SCOPED_TRACE(what + ": " + out.output);
    EXPECT_EQ(out.exit_code, 1);
    EXPECT_TRUE(OneLine(out.output));
    EXPECT_NE(out.output.find("authentication failed for role " + role + " at "),
              std::string::npos);
    EXPECT_NE(out.output.find("credentials.json is not the role's"), std::string::npos);
    EXPECT_EQ(out.output.find("cannot connect"), std::string::npos);
    EXPECT_EQ(out.output.find("starts it"), std::string::npos);
  };
  auto status = own->Pgstack({"migrate", "status", "--dir", dir});
  expect_auth_line(status, "migrate status");
  EXPECT_NE(status.output.find(direct), std::string::npos) << status.output;
  expect_auth_line(own->Pgstack({"migrate", "up", "--dir", dir}), "migrate up");
  expect_auth_line(own->Pgstack({"bench", "pool", "--duration", "1s", "--clients", "2"}),
                   "bench pool");
  auto verify = own->Pgstack({"--json", "verify"});
  EXPECT_EQ(verify.exit_code, 3) << verify.output;
  EXPECT_NE(verify.output.find("authentication failed for role " + role), std::string::npos)
      << verify.output;
  EXPECT_EQ(verify.output.find("not reachable"), std::string::npos) << verify.output;
  auto up = own->Pgstack({"up"});
  EXPECT_EQ(up.exit_code, 0) << up.output;
  EXPECT_NE(up.output.find("set the password of role " + role), std::string::npos) << up.output;
  auto healed = own->Pgstack({"migrate", "status", "--dir", dir});
  EXPECT_EQ(healed.exit_code, 0) << healed.output;
}

// PostgreSQL and PgBouncer on every interface: the security listen checks report what listens
// where, pass when the config asks for the wildcard, and fail when it does not (once they
// skipped, taking 0.0.0.0 for another machine).
TEST(Hostile, AWildcardListenFailsUnlessTheConfigAsksForIt) {
  nlohmann::json config = nlohmann::json::parse(ReadText(Config()));
  nlohmann::json& test = config["environments"]["test"];
  test["pgbouncer"]["listen_addr"] = "0.0.0.0";
  test["postgres"]["settings"]["listen_addresses"] = "*";
  std::string dir = TempDir("wildcard");
  WriteText(dir + "/wide.json", config.dump(2));
  std::vector<std::string> wide = {"--config", dir + "/wide.json", "--env",
                                   "test",     "--state-dir",      dir + "/s"};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.begin(), wide.begin(), wide.end());
    return RunPgstack(args);
  };
  auto up = with({"up", "--pg-port", "0", "--pool-port", "0"});
  Restore destroy([&] { EXPECT_EQ(with({"destroy", "--yes"}).exit_code, 0); });
  ASSERT_EQ(up.exit_code, 0) << up.output;
  auto pool_port = std::to_string(location::LoadState(dir + "/s")->pool_port);

  Verdict asked = ReadVerdict(with({"--json", "verify", "--check", "security"}));
  EXPECT_EQ(asked.exit_code, 0) << asked.output;
  for (const char* id : {"security.postgres_listen", "security.pgbouncer_listen"}) {
    SCOPED_TRACE(id);
    ASSERT_EQ(asked.status[id], "pass") << asked.output;
    EXPECT_NE(asked.checks[id]["detail"].get<std::string>().find("every interface, as configured"),
              std::string::npos)
        << asked.output;
  }
  EXPECT_NE(asked.checks["security.pgbouncer_listen"]["detail"].get<std::string>().find(
                "port " + pool_port + " on 0.0.0.0"),
            std::string::npos)
      << asked.output;

  // The same servers, judged by the project's config, which keeps both on loopback.
  Verdict unasked = ReadVerdict(Pg(dir + "/s", {"--json", "verify", "--check", "security"}));
  EXPECT_EQ(unasked.exit_code, 3) << unasked.output;
  ASSERT_EQ(unasked.status["security.pgbouncer_listen"], "fail") << unasked.output;
  EXPECT_NE(unasked.checks["security.pgbouncer_listen"]["detail"].get<std::string>().find(
                "PgBouncer listens on 0.0.0.0 (port " + pool_port + "), beyond loopback"),
            std::string::npos)
      << unasked.output;
  ASSERT_EQ(unasked.status["security.postgres_listen"], "fail") << unasked.output;
  EXPECT_NE(unasked.checks["security.postgres_listen"]["detail"].get<std::string>().find(
                "PostgreSQL listens on 0.0.0.0"),
            std::string::npos)
      << unasked.output;
}

// A single quote in the state dir's path, which once went unescaped into pgstack.conf. (A comma
// cannot work: libpq reads a host with commas as a list of hosts.)
// Quotes, a dollar, a backquote and a space in the state dir's path: the first `up`, and a
// restart (a new port), which `pg_ctl restart` would run through a shell from postmaster.opts.
TEST(Hostile, StateDirPathWithQuotesDollarAndBackquote) {
  std::string dir = TempDir("odd") + "/it's \"$x`te";
  auto up = UpFree(dir);
  ASSERT_EQ(up.exit_code, 0) << up.output;
  auto status = Pg(dir, {"--json", "status"});
  EXPECT_NE(status.output.find("\"version\": \"17."), std::string::npos) << status.output;
  int port = TakePort().port();  // released at once: `up` binds it
  auto moved = Pg(dir, {"up", "--pg-port", std::to_string(port)});
  ASSERT_EQ(moved.exit_code, 0) << moved.output;
  auto after = Pg(dir, {"--json", "status"});
  EXPECT_NE(after.output.find(fmt::format("\"port\": {}", port)), std::string::npos)
      << after.output;
  auto verify = Pg(dir, {"verify", "--check", "postgres", "--check", "pgbouncer"});
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_EQ(Pg(dir, {"destroy", "--yes"}).exit_code, 0);
}

// The fault suite's stack part: kill -9 of up, down and destroy at seeded random points; after
// each, the state dir is usable (`up` finishes it) and removable (`destroy --yes`).
TEST(Faults, KillUpDownDestroyAtRandomPoints) {
  unsigned seed = FaultSeed();
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> up_ms(0, 1500), short_ms(0, 300);
  auto kill_after = [](const std::string& dir, std::vector<std::string> args, int ms) {
    pid_t pid = Spawn(dir, std::move(args));
    (void)core::Pause(std::chrono::milliseconds(ms));
    KillAndReap(pid);
  };
  for (int round = 0; round < 3; ++round) {
    std::string dir = TempDir("fault") + "/s";
    int a = up_ms(rng), b = short_ms(rng), c = short_ms(rng);
    std::string where = fmt::format("seed {} round {}", seed, round);
    kill_after(dir, {"up", "--pg-port", "0", "--pool-port", "0"}, a);
    auto up = UpFree(dir);
    ASSERT_EQ(up.exit_code, 0) << where << ": up after a kill at " << a << " ms: " << up.output;
    kill_after(dir, {"down"}, b);
    up = UpFree(dir);
    ASSERT_EQ(up.exit_code, 0) << where << ": up after down killed at " << b
                               << " ms: " << up.output;
    kill_after(dir, {"destroy", "--yes"}, c);
    if (fs::exists(dir)) {
      // Whatever the killed destroy left: the credentials went first.
      auto destroy = Pg(dir, {"destroy", "--yes"});
      EXPECT_EQ(destroy.exit_code, 0)
          << where << ": destroy after a kill at " << c << " ms: " << destroy.output;
    }
    EXPECT_FALSE(fs::exists(dir)) << where;
    EXPECT_TRUE(ProcessesIn(dir).empty()) << where;
  }
}

}  // namespace
}  // namespace pgstack::testing
