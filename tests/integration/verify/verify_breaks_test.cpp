// For each check, the stack broken the way the check exists to catch: that check (and only what
// depends on the same thing) turns red, the others keep their healthy status, the exit code is
// 3, and the stack is put back before the next test. One private stack, started once for this
// suite, so that the shared stack of the other tests is never broken.
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "child.h"
#include "pgstack/core/files.h"
#include "verify_helpers.h"

namespace pgstack::testing {
namespace {

void WriteFile(const std::string& path, const std::string& text) {
  // In place (same inode, mode and owner), as an editor would.
  std::ofstream(path, std::ios::trunc) << text;
}

class VerifyBreaks : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    stack_ = TestStack::Start("test").release();
    baseline_ = new Verdict(RunVerify(*stack_));
  }
  static void TearDownTestSuite() {
    delete baseline_;
    delete stack_;
  }
  void SetUp() override {
    ASSERT_EQ(baseline_->exit_code, 0) << "the private stack is not healthy: " << baseline_->output;
  }

  const TestStack& stack() { return *stack_; }
  location::StatePaths paths() { return location::StatePaths(stack_->state_dir()); }
  const Verdict& baseline() { return *baseline_; }

  // A superuser in the application database.
  pg::Connection Superuser() {
    pg::ConnParams p = stack_->endpoints().superuser;
    p.dbname = stack_->env().postgres.database;
    auto conn = pg::Connection::Open(p);
    if (!conn.ok()) throw std::runtime_error(conn.status().message());
    return std::move(*conn);
  }
  void Sql(const std::string& sql) {
    Status st = Superuser().Run(sql);
    ASSERT_TRUE(st.ok()) << sql << ": " << st.message();
  }
  // Runs a PgBouncer admin console command (RELOAD applies an edited ini at once).
  void Console(const std::string& command) {
    auto admin = stack_->Admin();
    ASSERT_TRUE(admin.ok()) << admin.status().message();
    Status st = admin->Run(command);
    ASSERT_TRUE(st.ok()) << command << ": " << st.message();
  }
  // Brings the stack back with the real binary, as a user would.
  void Up() {
    core::CommandOutput out = stack_->Pgstack({"up"});
    ASSERT_EQ(out.exit_code, 0) << out.output;
  }
  // PgBouncer that failed to log in to the server waits server_login_retry (15 s) before it
  // tries again; the next test needs logins through it to work.
  void WaitForPooledLogin() {
    Status login = WaitFor(
        "a login through PgBouncer",
        [&] {
          auto pooled = stack_->Pooled();
          return pooled.ok() && pooled->Run("SELECT 1").ok();
        },
        std::chrono::seconds(40));
    ASSERT_TRUE(login.ok()) << login.message();
  }
  // The access list of schema public, to check that a test put it back.
  std::string PublicAcl() {
    auto r = Superuser().Exec("SELECT nspacl::text FROM pg_namespace WHERE nspname = 'public'");
    return r.ok() ? r->scalar() : r.status().message();
  }
  // ALTER SYSTEM + reload, waiting until a new session sees the value.
  void AlterSystem(const std::string& name, const std::optional<std::string>& value) {
    Sql(value ? fmt::format("ALTER SYSTEM SET {} = '{}'", name, *value)
              : fmt::format("ALTER SYSTEM RESET {}", name));
    Sql("SELECT pg_reload_conf()");
    std::string want = value.value_or("");
    Status seen = WaitFor("a new session to see " + name + " = '" + want + "'", [&] {
      auto r = Superuser().Exec("SHOW " + name);
      return r.ok() && (value ? r->scalar() == want : true);
    });
    ASSERT_TRUE(seen.ok()) << seen.message();
  }
  void ReplaceLine(const std::string& path, const std::string& pattern, const std::string& line) {
    std::string text = ReadText(path);
    std::string edited = std::regex_replace(text, std::regex(pattern), line);
    ASSERT_NE(edited, text) << pattern << " not in " << path;
    WriteFile(path, edited);
  }
  // A project folder with the stack's config (tweaked) and, when given, its own JSONB script,
  // for breaks that live in the project's files rather than in the stack.
  std::string Project(const std::function<void(nlohmann::json&)>& tweak_config,
                      const std::string& script = "") {
    std::string root = TempDir("verify-project");
    std::filesystem::create_directories(root + "/config");
    auto config = nlohmann::json::parse(ReadText(SourceDir() + "/config/database.json"));
    tweak_config(config["environments"][stack_->env().name]);
    std::ofstream(root + "/config/database.json") << config.dump(2);
    if (!script.empty()) {
      std::filesystem::create_directories(root + "/database/setup");
      std::ofstream(root + "/database/setup/test-jsonb.sql") << script;
    }
    return root;
  }
  Verdict RunVerifyIn(const std::string& project) {
    return ReadVerdict(
        RunPgstack({"--config", project + "/config/database.json", "--env", stack_->env().name,
                    "--state-dir", stack_->state_dir(), "--json", "verify"}));
  }

  static TestStack* stack_;
  static Verdict* baseline_;
};

TestStack* VerifyBreaks::stack_ = nullptr;
Verdict* VerifyBreaks::baseline_ = nullptr;

// A partly stopped stack: the stopped server's running check fails with its fix, the checks that
// need a server are skipped saying so (they cannot run), those in `failing` (they run, through
// the part still up) fail with their fix, and the rest keep their status.
void ExpectStopped(const Verdict& v, const Verdict& baseline, const std::string& running,
                   const std::set<std::string>& failing = {}) {
  EXPECT_EQ(v.exit_code, 3) << v.output;
  ASSERT_TRUE(v.status.count(running)) << v.output;
  EXPECT_EQ(v.status.at(running), "fail");
  EXPECT_NE(v.checks.at(running)["detail"].get<std::string>().find("not running"),
            std::string::npos);
  EXPECT_TRUE(v.checks.at(running).contains("fix"));
  int stopped = 0;
  for (const auto& [id, status] : baseline.status) {
    if (id == running || !v.status.count(id)) continue;
    SCOPED_TRACE(id + ": " + v.checks.at(id).dump());
    if (v.status.at(id) == "skip" && status != "skip") {
      // Skipped because the stack is stopped, or (the listen checks) nothing listens to look at.
      std::string why = v.checks.at(id)["detail"];
      EXPECT_FALSE(why.empty());
      stopped += why.find("the stack is stopped") != std::string::npos;
      continue;
    }
    EXPECT_EQ(v.status.at(id), failing.count(id) ? "fail" : status);
    if (failing.count(id)) {
      EXPECT_TRUE(v.checks.at(id).contains("fix"));
    }
  }
  EXPECT_GT(stopped, 0) << v.output;
}

TEST_F(VerifyBreaks, SigintStopsACheckThatWaitsOnTheServer) {
  // Another session makes test_jsonb and keeps its transaction open: the JSONB script's own
  // CREATE TABLE waits for that transaction to end. The signal must stop verify now.
  pg::Connection holder = Superuser();
  ASSERT_TRUE(holder.Run("BEGIN; CREATE TABLE public.test_jsonb (id int)").ok());
  std::string log = stack().state_dir() + "/../verify-sigint.log";
  pid_t pid = stack().SpawnPgstack({"verify"}, log);
  // Seen from a session of its own: one in a transaction sees the activity of its start.
  pg::Connection watcher = Superuser();
  Status waiting = WaitFor("verify to wait on the held transaction", [&] {
    auto r = watcher.Exec(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgstack verify' AND "
        "wait_event_type = 'Lock'");
    return r.ok() && r->scalar() == "1";
  });
  if (!waiting.ok()) KillAndReap(pid);
  ASSERT_TRUE(waiting.ok()) << waiting.message() << "\n" << ReadText(log);
  ASSERT_EQ(kill(pid, SIGINT), 0);
  EXPECT_EQ(Reap(pid, std::chrono::seconds(10)), 130) << ReadText(log);
  EXPECT_NE(ReadText(log).find("interrupted (SIGINT)"), std::string::npos) << ReadText(log);
  EXPECT_TRUE(holder.in_transaction()) << "verify went on only because the transaction ended";
  ASSERT_TRUE(holder.Run("ROLLBACK").ok());
}

TEST_F(VerifyBreaks, PgBouncerStopped) {
  pid_t pid = std::stoi(ReadText(paths().pgbouncer_pid));
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  Status stopped = WaitFor("PgBouncer to stop", [&] { return !core::ProcessAlive(pid); });
  ASSERT_TRUE(stopped.ok()) << stopped.message();
  Restore restore([&] { Up(); });
  ExpectStopped(RunVerify(stack()), baseline(), "pgbouncer.running");
}

TEST_F(VerifyBreaks, PostgresStoppedFailsItsRunningCheckAndSkipsWhatNeedsIt) {
  std::string pidfile = paths().data + "/postmaster.pid";
  pid_t pid = std::stoi(ReadText(pidfile));
  ASSERT_EQ(kill(pid, SIGINT), 0);  // fast shutdown
  Status stopped = WaitFor("PostgreSQL to stop", [&] { return !core::ProcessAlive(pid); });
  ASSERT_TRUE(stopped.ok()) << stopped.message();
  Restore restore([&] {
    Up();
    WaitForPooledLogin();
  });
  Verdict v = RunVerify(stack());
  // PgBouncer still runs: a login through it runs, and fails for want of the server.
  ExpectStopped(v, baseline(), "postgres.running", {"pgbouncer.login"});
  EXPECT_EQ(v.status.at("postgres.version"), "skip");
}

TEST_F(VerifyBreaks, SettingChangedWithAlterSystem) {
  // The test environment logs no statements; someone turned statement logging on.
  AlterSystem("log_statement", "all");
  Restore restore([&] { AlterSystem("log_statement", std::nullopt); });
  Verdict v = RunVerify(stack());
  ExpectOnly(v, baseline(), {"postgres.settings"});
  std::string detail = v.checks["postgres.settings"]["detail"];
  EXPECT_NE(detail.find("log_statement is all"), std::string::npos) << detail;
  EXPECT_NE(detail.find("postgresql.auto.conf"), std::string::npos) << "names the source";
}

TEST_F(VerifyBreaks, RestartOnlySettingWaitingForARestart) {
  Sql("ALTER SYSTEM SET shared_buffers = '128MB'");
  Sql("SELECT pg_reload_conf()");
  Restore restore([&] {
    Sql("ALTER SYSTEM RESET shared_buffers");
    Sql("SELECT pg_reload_conf()");
    Status reset = WaitFor("shared_buffers to wait for no restart", [&] {
      auto r =
          Superuser().Exec("SELECT pending_restart FROM pg_settings WHERE name = 'shared_buffers'");
      return r.ok() && r->scalar() == "f";
    });
    EXPECT_TRUE(reset.ok()) << reset.message();
  });
  Status pending = WaitFor("shared_buffers to wait for a restart", [&] {
    auto r =
        Superuser().Exec("SELECT pending_restart FROM pg_settings WHERE name = 'shared_buffers'");
    return r.ok() && r->scalar() == "t";
  });
  ASSERT_TRUE(pending.ok()) << pending.message();
  Verdict v = RunVerify(stack());
  ExpectOnly(v, baseline(), {"postgres.settings"});
  std::string detail = v.checks["postgres.settings"]["detail"];
  EXPECT_NE(detail.find("shared_buffers waits for a restart to become 128MB"), std::string::npos)
      << detail;
}

TEST_F(VerifyBreaks, UserlistReadableByOthers) {
  ASSERT_EQ(chmod(paths().userlist.c_str(), 0644), 0);
  Restore restore([&] { chmod(paths().userlist.c_str(), 0600); });
  Verdict v = RunVerify(stack());
  ExpectOnly(v, baseline(), {"security.userlist_mode"});
  EXPECT_EQ(v.checks["security.userlist_mode"]["actual"], "0644");
  EXPECT_EQ(v.checks["security.userlist_mode"]["fix"], "chmod 600 " + paths().userlist);
}

TEST_F(VerifyBreaks, CredentialsReadableByOthers) {
  if (baseline().status.at("security.credentials_mode") == "skip") {
    GTEST_SKIP() << "the password comes from the environment: no credentials file";
  }
  ASSERT_EQ(chmod(paths().credentials.c_str(), 0640), 0);
  Restore restore([&] { chmod(paths().credentials.c_str(), 0600); });
  ExpectOnly(RunVerify(stack()), baseline(), {"security.credentials_mode"});
}

TEST_F(VerifyBreaks, StateDirOpenToOthers) {
  ASSERT_EQ(chmod(paths().root.c_str(), 0755), 0);
  Restore restore([&] { chmod(paths().root.c_str(), 0700); });
  ExpectOnly(RunVerify(stack()), baseline(), {"security.state_dir_mode"});
}

TEST_F(VerifyBreaks, ExtensionDropped) {
  Sql("DROP EXTENSION btree_gist");
  Restore restore([&] { Sql("CREATE EXTENSION btree_gist"); });
  Verdict v = RunVerify(stack());
  ExpectOnly(v, baseline(), {"postgres.extensions"});
  EXPECT_NE(v.checks["postgres.extensions"]["detail"].get<std::string>().find("btree_gist"),
            std::string::npos);
}

TEST_F(VerifyBreaks, RoleWithAnMd5Password) {
  Sql("SET password_encryption = 'md5'; CREATE ROLE verify_md5_probe LOGIN PASSWORD 'not-scram'");
  Restore restore([&] { Sql("DROP ROLE verify_md5_probe"); });
  Verdict v = RunVerify(stack());
  ExpectOnly(v, baseline(), {"security.scram"});
  EXPECT_NE(v.checks["security.scram"]["detail"].get<std::string>().find("verify_md5_probe (md5)"),
            std::string::npos);
}

TEST_F(VerifyBreaks, TrustLineInPgHba) {
  std::string original = ReadText(paths().hba);
  ASSERT_FALSE(original.empty());
  WriteFile(paths().hba, original + "host nosuchdb all 127.0.0.1/32 trust\n");
  Sql("SELECT pg_reload_conf()");
  Restore restore([&] {
    WriteFile(paths().hba, original);
    Sql("SELECT pg_reload_conf()");
  });
  Verdict v = RunVerify(stack());
  ExpectOnly(v, baseline(), {"security.hba_no_trust"});
  EXPECT_NE(v.checks["security.hba_no_trust"]["detail"].get<std::string>().find("trust rule"),
            std::string::npos);
}

TEST_F(VerifyBreaks, PasswordPlantedInTheServerLog) {
  const std::string& password = stack().endpoints().direct.password;
  ASSERT_FALSE(password.empty());
  std::string log = paths().pg_log;
  off_t size = std::filesystem::file_size(log);
  {
    std::ofstream out(log, std::ios::app);
    out << "LOG:  statement: ALTER ROLE test_platform_user PASSWORD '" << password << "'\n";
  }
  Restore restore([&] { truncate(log.c_str(), size); });
  Verdict v = RunVerify(stack());
  ExpectOnly(v, baseline(), {"security.server_log"});
  std::string detail = v.checks["security.server_log"]["detail"];
  EXPECT_NE(detail.find("postgresql.log line"), std::string::npos) << detail;
  EXPECT_EQ(v.output.find(password), std::string::npos) << "verify printed the password";
}

TEST_F(VerifyBreaks, NoRightToCreateTablesInPublic) {
  // The role owns the database, so it creates in public as pg_database_owner (and has no grant
  // of its own); take that away.
  std::string acl = PublicAcl();
  ASSERT_EQ(acl.find(stack().env().postgres.user + "="), std::string::npos) << acl;
  Sql("REVOKE CREATE ON SCHEMA public FROM pg_database_owner");
  Restore restore([&] {
    Sql("GRANT CREATE ON SCHEMA public TO pg_database_owner");
    EXPECT_EQ(PublicAcl(), acl);
  });
  Verdict v = RunVerify(stack());
  // The plan's script creates test_jsonb in public too.
  ExpectOnly(v, baseline(), {"postgres.create_table", "jsonb.script"});
}

TEST_F(VerifyBreaks, DatabaseOwnedBySomeoneElse) {
  std::string db = stack().env().postgres.database, role = stack().env().postgres.user;
  std::string acl = PublicAcl();
  ASSERT_EQ(acl.find(role + "="), std::string::npos) << acl;
  Sql(fmt::format("ALTER DATABASE {} OWNER TO {}", db, stack().endpoints().superuser.user));
  // Keep its right to create tables, so that only ownership differs.
  Sql(fmt::format("GRANT CREATE ON SCHEMA public TO {}", role));
  Restore restore([&] {
    Sql(fmt::format("ALTER DATABASE {} OWNER TO {}", db, role));
    Sql(fmt::format("REVOKE CREATE ON SCHEMA public FROM {}", role));
    EXPECT_EQ(PublicAcl(), acl);
  });
  Verdict v = RunVerify(stack());
  ExpectOnly(v, baseline(), {"postgres.database"});
}

TEST_F(VerifyBreaks, PasswordChangedOnTheServerOnly) {
  const std::string& role = stack().env().postgres.user;
  auto old = Superuser().Exec("SELECT rolpassword FROM pg_authid WHERE rolname = $1", {role});
  ASSERT_TRUE(old.ok() && old->rows() == 1);
  std::string verifier = old->scalar();
  {
    pg::Connection su = Superuser();
    auto other = su.ScramVerifier(role, "another-password");
    ASSERT_TRUE(other.ok());
    ASSERT_TRUE(su.Run(fmt::format("ALTER ROLE {} PASSWORD '{}'", role, *other)).ok());
  }
  Restore restore([&] {
    Sql(fmt::format("ALTER ROLE {} PASSWORD '{}'", role, verifier));
    WaitForPooledLogin();
  });
  Verdict v = RunVerify(stack());
  // Everything that logs in as the role fails; PgBouncer may still lend a server connection it
  // opened before the change, so its login check may pass.
  ExpectOnly(v, baseline(),
             {"postgres.login", "postgres.create_table", "jsonb.script", "jsonb.gin_index",
              "jsonb.performance", "pgbouncer.userlist"},
             {}, {"pgbouncer.login"});
}

TEST_F(VerifyBreaks, PlannerKeptOffTheGinIndex) {
  std::string db = stack().env().postgres.database;
  Sql(fmt::format("ALTER DATABASE {} SET enable_bitmapscan = off", db));
  Restore restore([&] { Sql(fmt::format("ALTER DATABASE {} RESET enable_bitmapscan", db)); });
  Verdict v = RunVerify(stack());
  // Without the index the query is a sequential scan, so the speed-up is gone too.
  ExpectOnly(v, baseline(), {"jsonb.gin_index", "jsonb.performance"});
  std::string detail = v.checks["jsonb.gin_index"]["detail"];
  EXPECT_NE(detail.find("does not use the GIN index"), std::string::npos) << detail;
}

TEST_F(VerifyBreaks, JsonbLimitsNotMet) {
  std::string project = Project([](nlohmann::json& env) {
    env["verify"] = {{"jsonb_rows", 20000}, {"jsonb_max_ms", 25}, {"jsonb_min_speedup", 1000000}};
  });
  Verdict v = RunVerifyIn(project);
  ExpectOnly(v, baseline(), {"jsonb.performance"});
  std::string detail = v.checks["jsonb.performance"]["detail"];
  EXPECT_NE(detail.find(">= 1000000x"), std::string::npos) << detail;
}

TEST_F(VerifyBreaks, JsonbScriptWithAWrongResult) {
  std::string script = ReadText(SourceDir() + "/database/setup/test-jsonb.sql");
  std::string wrong = std::regex_replace(script, std::regex("'Another User',\n"), "'Nobody',\n");
  ASSERT_NE(wrong, script);
  std::string project = Project([](nlohmann::json&) {}, wrong);
  Verdict v = RunVerifyIn(project);
  ExpectOnly(v, baseline(), {"jsonb.script"});
  std::string detail = v.checks["jsonb.script"]["detail"];
  EXPECT_NE(detail.find("got 'Another User', expected 'Nobody'"), std::string::npos) << detail;
  // The advice names the script that ran (the project's), not a path of pgstack's checkout.
  std::string fix = v.checks["jsonb.script"].value("fix", "");
  EXPECT_NE(fix.find(project + "/database/setup/test-jsonb.sql"), std::string::npos) << fix;
  // And the failed script left nothing behind.
  auto left = Superuser().Exec("SELECT to_regclass('public.test_jsonb') IS NULL");
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(left->scalar(), "t");
}

TEST_F(VerifyBreaks, PoolModeSession) {
  std::string ini = paths().pgbouncer_ini, original = ReadText(ini);
  ReplaceLine(ini, "pool_mode = transaction", "pool_mode = session");
  Console("RELOAD");
  Restore restore([&] {
    WriteFile(ini, original);
    Console("RELOAD");
  });
  Verdict v = RunVerify(stack());
  // pool_mode is one of the configured settings, so SHOW CONFIG differs too.
  ExpectOnly(v, baseline(), {"pgbouncer.pool_mode", "pgbouncer.config"});
}

TEST_F(VerifyBreaks, PgBouncerSettingChanged) {
  std::string ini = paths().pgbouncer_ini, original = ReadText(ini);
  ReplaceLine(ini, "default_pool_size = [0-9]+", "default_pool_size = 7");
  Console("RELOAD");
  Restore restore([&] {
    WriteFile(ini, original);
    Console("RELOAD");
  });
  Verdict v = RunVerify(stack());
  ExpectOnly(v, baseline(), {"pgbouncer.config"});
  std::string detail = v.checks["pgbouncer.config"]["detail"];
  EXPECT_NE(detail.find("default_pool_size is 7, expected 20"), std::string::npos) << detail;
}

TEST_F(VerifyBreaks, UserlistVerifierDiffersFromTheServers) {
  std::string original = ReadText(paths().userlist);
  // Same shape, different key: the last character of the ServerKey changes.
  size_t quote = original.rfind('"');
  ASSERT_NE(quote, std::string::npos);
  std::string edited = original;
  edited[quote - 1] = edited[quote - 1] == 'A' ? 'B' : 'A';
  WriteFile(paths().userlist, edited);
  Restore restore([&] { WriteFile(paths().userlist, original); });
  Verdict v = RunVerify(stack());
  ExpectOnly(v, baseline(), {"pgbouncer.userlist"});
}

// Something listening on the port beyond loopback: a wildcard IPv6 socket on the same port
// (IPV6_V6ONLY, so it does not clash with the server's IPv4 loopback socket). Restarting the
// real server on '*' would show the same to the check, at the cost of two restarts.
int ListenOnWildcardV6(int port) {
  int fd = socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_addr = in6addr_any;
  addr.sin6_port = htons(static_cast<uint16_t>(port));
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || listen(fd, 1) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

TEST_F(VerifyBreaks, PostgresPortExposedBeyondLoopback) {
  int fd = ListenOnWildcardV6(stack().endpoints().direct.port);
  if (fd < 0) GTEST_SKIP() << "no IPv6 here";
  Restore restore([&] { close(fd); });
  Verdict v = RunVerify(stack());
  ExpectOnly(v, baseline(), {"security.postgres_listen"});
  EXPECT_NE(v.checks["security.postgres_listen"]["detail"].get<std::string>().find("listens on ::"),
            std::string::npos);
}

TEST_F(VerifyBreaks, PgBouncerPortExposedBeyondLoopback) {
  int fd = ListenOnWildcardV6(stack().endpoints().pooled.port);
  if (fd < 0) GTEST_SKIP() << "no IPv6 here";
  Restore restore([&] { close(fd); });
  ExpectOnly(RunVerify(stack()), baseline(), {"security.pgbouncer_listen"});
}

}  // namespace
}  // namespace pgstack::testing
