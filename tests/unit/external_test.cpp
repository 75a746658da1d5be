// External mode's decisions that need no server: where settings go, which privilege is missing,
// the userlist merge, redaction, and the dry run's diff.
#include <gtest/gtest.h>
#include <unistd.h>

#include "pgstack/core/pgbouncer_files.h"
#include "pgstack/core/unified_diff.h"
#include "stack/external_internal.h"

namespace pgstack::stack::external {
namespace {

TEST(ExternalUnifiedDiff, EqualTextsHaveNoDiff) {
  EXPECT_EQ(core::UnifiedDiff("a\nb\n", "a\nb\n", "x", "y"), "");
}

TEST(ExternalUnifiedDiff, ShowsAChangedLineWithContext) {
  std::string d =
      core::UnifiedDiff("1\n2\n3\n4\n5\n6\n7\n8\n", "1\n2\n3\n4\nfive\n6\n7\n8\n", "old", "new");
  EXPECT_EQ(d, "--- old\n+++ new\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
}

TEST(ExternalUnifiedDiff, NewFileAndMissingNewline) {
  EXPECT_EQ(core::UnifiedDiff("", "a\nb", "/dev/null", "f"),
            "--- /dev/null\n+++ f\n@@ -0,0 +1,2 @@\n+a\n+b\n\\ No newline at end of file\n");
}

TEST(ExternalUnifiedDiff, FarApartChangesMakeTwoHunks) {
  std::string old_text, new_text;
  for (int i = 1; i <= 20; ++i) {
    old_text += std::to_string(i) + "\n";
    new_text += (i == 2 || i == 18 ? "x" : std::to_string(i)) + "\n";
  }
  std::string d = core::UnifiedDiff(old_text, new_text, "a", "b");
  EXPECT_NE(d.find("@@ -1,5 +1,5 @@"), std::string::npos) << d;
  EXPECT_NE(d.find("@@ -15,6 +15,6 @@"), std::string::npos) << d;
}

TEST(ExternalParseIncludeDirs, ReadsDebianStyleAndIgnoresComments) {
  std::string conf =
      "#include_dir = 'nope'\n"
      "include_dir = 'conf.d'   # Debian\n"
      "  include_dir '/abs/dir'\n"
      "include = 'other.conf'\n";
  EXPECT_EQ(ParseIncludeDirs(conf, "/etc/postgresql/17/main"),
            (std::vector<std::string>{"/etc/postgresql/17/main/conf.d", "/abs/dir"}));
}

TEST(ExternalChooseSettingsTarget, WritesTheFileOnlyWhereTheServerReadsItAndItIsWritable) {
  ConfDirFacts f{
      .dir = "/c", .exists = true, .writable = true, .included = true, .server_config_known = true};
  auto t = ChooseSettingsTarget(f);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->file);
  f.writable = false;
  t = ChooseSettingsTarget(f);
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->file);
  EXPECT_NE(t->why.find("not writable"), std::string::npos);
}

TEST(ExternalChooseSettingsTarget, RefusesAnotherServersFolder) {
  ConfDirFacts f{.dir = "/etc/postgresql/16/main/conf.d",
                 .exists = true,
                 .writable = true,
                 .server_config_known = true,
                 .sibling_conf = "/etc/postgresql/16/main/postgresql.conf",
                 .config_file = "/var/lib/pg/postgresql.conf"};
  auto t = ChooseSettingsTarget(f);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), Code::kInvalidInput);
  EXPECT_NE(t.status().message().find("another server"), std::string::npos);
  f.server_config_known = false;  // cannot tell: refused too, with the reason
  EXPECT_EQ(ChooseSettingsTarget(f).status().code(), Code::kInvalidInput);
}

TEST(ExternalChooseSettingsTarget, UsesAlterSystemForAFolderNoServerReads) {
  ConfDirFacts f{.dir = "/tmp/x", .exists = true, .writable = true, .server_config_known = true};
  auto t = ChooseSettingsTarget(f);
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->file);
  f.exists = false;
  t = ChooseSettingsTarget(f);
  ASSERT_TRUE(t.ok());
  EXPECT_NE(t->why.find("does not exist"), std::string::npos);
}

core::Environment Env() {
  core::Environment e;
  e.name = "production";
  e.mode = core::Mode::kExternal;
  e.postgres.user = "app";
  e.postgres.database = "appdb";
  e.postgres.settings = {{"effective_cache_size", "1GB"}, {"max_connections", "200"}};
  return e;
}

ServerFacts Facts() {
  ServerFacts f;
  f.version = "17.2";
  f.version_num = 170002;
  f.admin_user = "ops";
  f.createrole = f.createdb = f.can_reload = f.role_set = f.role_inherit = true;
  f.settings["effective_cache_size"] = {.current = "4GB", .can_alter_system = true};
  f.settings["max_connections"] = {.current = "100", .can_alter_system = true};
  return f;
}

TEST(ExternalCheckServer, RefusesAnotherMajorVersion) {
  ServerFacts f = Facts();
  f.version = "16.4";
  f.version_num = 160004;
  f.superuser = true;
  Status s = CheckServer(f, Env(), {}, false);
  EXPECT_EQ(s.code(), Code::kInvalidInput);
  EXPECT_NE(s.message().find("PostgreSQL 16.4"), std::string::npos) << s.message();
}

TEST(ExternalCheckServer, NamesTheMissingPrivilege) {
  ServerFacts f = Facts();
  EXPECT_TRUE(CheckServer(f, Env(), {"max_connections"}, true).ok());
  f.createrole = false;
  EXPECT_NE(CheckServer(f, Env(), {}, false).message().find("lacks CREATEROLE"), std::string::npos);
  f = Facts();
  f.createdb = false;
  EXPECT_NE(CheckServer(f, Env(), {}, false).message().find("lacks CREATEDB"), std::string::npos);
  f.db_exists = true;  // CREATEDB is only needed to create the database
  EXPECT_TRUE(CheckServer(f, Env(), {}, false).ok());
  f = Facts();
  f.extensions_to_create = {"btree_gin"};
  f.role_inherit = false;  // the new database's owner lends it nothing
  EXPECT_NE(CheckServer(f, Env(), {}, false).message().find("CREATE on database appdb"),
            std::string::npos);
  f.db_exists = f.db_create = true;
  EXPECT_TRUE(CheckServer(f, Env(), {}, false).ok());
  f = Facts();
  f.role_set = false;
  EXPECT_NE(CheckServer(f, Env(), {}, false).message().find("SET on role app"), std::string::npos);
  f = Facts();
  f.role_exists = true;
  EXPECT_NE(CheckServer(f, Env(), {}, false).message().find("ADMIN OPTION on role app"),
            std::string::npos);
  f = Facts();
  f.settings["max_connections"].can_alter_system = false;
  EXPECT_NE(CheckServer(f, Env(), {"max_connections"}, true)
                .message()
                .find("ALTER SYSTEM on parameter max_connections"),
            std::string::npos);
  f = Facts();
  f.can_reload = false;
  EXPECT_NE(CheckServer(f, Env(), {}, true).message().find("pg_reload_conf"), std::string::npos);
  f.superuser = true;  // a superuser has them all
  EXPECT_TRUE(CheckServer(f, Env(), {"max_connections"}, true).ok());
}

TEST(ExternalPlanSettings, AlterSystemOnlyForWhatDiffersAndRestartOnlyReported) {
  ServerFacts f = Facts();
  f.settings["effective_cache_size"].file_value = "1024MB";  // same value, other unit
  auto plan = PlanSettings(f, Env(), SettingsTarget{}, "/nonexistent");
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->statements.size(), 1u);
  EXPECT_EQ(plan->statements[0].sql, "ALTER SYSTEM SET max_connections = '200'");
  EXPECT_EQ(plan->restart_pending, std::vector<std::string>{"max_connections"});
  EXPECT_TRUE(plan->reload);
  f.settings["max_connections"].file_value = "200";  // set before, waiting for a restart
  plan = PlanSettings(f, Env(), SettingsTarget{}, "/nonexistent");
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->statements.empty());
  EXPECT_FALSE(plan->reload);
  EXPECT_EQ(plan->restart_pending, std::vector<std::string>{"max_connections"});
  // Unreadable pg_file_settings: a pending restart is taken to be the value set before.
  f.settings["max_connections"].file_value.reset();
  f.settings["max_connections"].pending_restart = true;
  plan = PlanSettings(f, Env(), SettingsTarget{}, "/nonexistent");
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->statements.empty());
  EXPECT_EQ(plan->restart_pending, std::vector<std::string>{"max_connections"});
}

TEST(ExternalUserlist, MergeReplacesTheRoleAndKeepsOthers) {
  std::string old = "\"other\" \"SCRAM-SHA-256$4096:c2FsdA==$a:b\"\n\"app\" \"old\"\n";
  std::string merged = MergeUserlist(old, "app", "new\"v");
  EXPECT_EQ(merged, "\"other\" \"SCRAM-SHA-256$4096:c2FsdA==$a:b\"\n\"app\" \"new\"\"v\"\n");
  EXPECT_EQ(core::UserlistSecret(merged, "app"), "new\"v");
  EXPECT_EQ(MergeUserlist(std::string("\"old\" \"x\"\n"), "app", "v"),
            "\"old\" \"x\"\n\"app\" \"v\"\n");
  EXPECT_EQ(MergeUserlist(std::nullopt, "app", "v"), "\"app\" \"v\"\n");
  EXPECT_EQ(core::UserlistSecret(merged, "nobody"), std::nullopt);
}

TEST(ExternalUserlist, RedactsScramKeysButKeepsSalt) {
  std::string v = "SCRAM-SHA-256$4096:c2FsdA==$U3RvcmVk+/=:U2VydmVy";
  EXPECT_EQ(RedactVerifiers("\"app\" \"" + v + "\"\n"),
            "\"app\" \"SCRAM-SHA-256$4096:c2FsdA==$********\"\n");
}

TEST(ExternalRestartCommand, OnlyForADebianCluster) {
  EXPECT_FALSE(RestartCommand("/var/lib/postgresql/data/postgresql.conf").has_value());
  EXPECT_FALSE(RestartCommand("").has_value());
  EXPECT_FALSE(RestartCommand("/etc/postgresql/16/main/postgresql.conf").has_value());
  if (access("/usr/bin/pg_ctlcluster", X_OK) == 0) {
    EXPECT_EQ(RestartCommand("/etc/postgresql/17/main/postgresql.conf"),
              (std::vector<std::string>{"/usr/bin/pg_ctlcluster", "17", "main", "restart"}));
  }
}

}  // namespace
}  // namespace pgstack::stack::external
