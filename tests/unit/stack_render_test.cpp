// What the stack writes, rendered without a server: SCRAM verifiers, the PgBouncer template,
// PostgreSQL's include file and pg_hba.
#include <gtest/gtest.h>

#include <filesystem>

#include "../../src/stack/cluster.h"
#include "pgstack/core/config.h"
#include "pgstack/core/files.h"
#include "pgstack/core/pgbouncer_files.h"
#include "pgstack/core/scram.h"
#include "pgstack/core/settings.h"
#include "pgstack/core/template.h"
#include "pgstack/location/environment.h"
#include "pgstack/stack/pgbouncer_config.h"
#include "shipped_config.h"

namespace pgstack {
namespace {

std::string ReadSource(const std::string& rel) {
  auto text = core::ReadFileIfExists(std::string(PGSTACK_SOURCE_DIR) + "/" + rel);
  return text.ok() ? text->value_or("") : "";
}

// The verifier of "pencil" with this salt, computed independently (Python's hashlib, RFC 7677).
constexpr char kPencil[] =
    "SCRAM-SHA-256$4096:RHvUrOzAo6ck8Ovk3jYEnw==$"
    "qGkvWajjf/rFJzQ/NUQF/jYBVx85EMyqKbgTVeDJe3U=:ZbKzwzmxqKrUtPKAr9/2nuO9wJOcMVWlRWCvRpoeL88=";

TEST(Scram, RecognisesVerifiers) {
  EXPECT_TRUE(core::IsScramVerifier(kPencil));
  EXPECT_FALSE(core::IsScramVerifier("md5a3556571e93b0d20722ba62be61e8c2d"));
  EXPECT_FALSE(core::IsScramVerifier("SCRAM-SHA-256$4096:salt$short:short"));
  EXPECT_FALSE(core::IsScramVerifier("pencil"));
}

TEST(Scram, MatchesOnlyItsPassword) {
  EXPECT_TRUE(core::ScramVerifierMatches(kPencil, "pencil"));
  EXPECT_FALSE(core::ScramVerifierMatches(kPencil, "pencil2"));
  EXPECT_FALSE(core::ScramVerifierMatches("md5abc", "pencil"));
}

TEST(Template, FillsEveryPlaceholder) {
  auto out = core::RenderTemplate("a = {{x}}\nb = {{y}}\n", "t.ini", {{"x", "1"}, {"y", "two"}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "a = 1\nb = two\n");
}

TEST(Template, MissingValueNamesFileAndLine) {
  auto out = core::RenderTemplate("a = 1\nb = {{nope}}\n", "t.ini", {});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "t.ini:2: no value for {{nope}}");
}

TEST(Template, UnusedValueIsAnError) {
  auto out = core::RenderTemplate("a = {{x}}\n", "t.ini", {{"x", "1"}, {"extra", "2"}});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("{{extra}}"), std::string::npos);
}

TEST(PgBouncerIni, ShippedTemplateRendersEveryPlanKey) {
  core::Environment env = ShippedEnvironment();
  stack::PgBouncerLayout layout{.server_host = "127.0.0.1",
                                .server_port = 5432,
                                .listen_port = 6432,
                                .unix_socket_dir = "/s/run",
                                .auth_file = "/s/userlist.txt",
                                .logfile = "/s/pgbouncer.log",
                                .pidfile = "/s/pgbouncer.pid"};
  auto ini = stack::RenderPgBouncerIni(env, layout,
                                       ReadSource("database/setup/pgbouncer-config.ini"), "tmpl");
  ASSERT_TRUE(ini.ok()) << ini.status().message();
  auto kv = core::ParsePgBouncerIni(*ini);
  EXPECT_EQ(kv["listen_addr"], "127.0.0.1");
  EXPECT_EQ(kv["listen_port"], "6432");
  EXPECT_EQ(kv["auth_type"], "scram-sha-256");
  EXPECT_EQ(kv["auth_file"], "/s/userlist.txt");
  EXPECT_EQ(kv["pool_mode"], "transaction");
  EXPECT_EQ(kv["max_client_conn"], "200");
  EXPECT_EQ(kv["default_pool_size"], "20");
  EXPECT_EQ(kv["min_pool_size"], "5");
  EXPECT_EQ(kv["reserve_pool_size"], "5");
  EXPECT_EQ(kv["reserve_pool_timeout"], "5");
  EXPECT_EQ(kv["max_db_connections"], "50");
  EXPECT_EQ(kv["max_user_connections"], "50");
  for (const char* k : {"server_reset_query", "server_check_delay", "server_check_query",
                        "server_lifetime", "server_idle_timeout", "admin_users", "stats_users"})
    EXPECT_FALSE(kv[k].empty()) << k;
  EXPECT_NE(ini->find("test_platform = host=127.0.0.1 port=5432 dbname=test_platform"),
            std::string::npos);
  // The fallback that routes testdb's per-test databases (any other name) to the same server.
  EXPECT_NE(ini->find("\n* = host=127.0.0.1 port=5432 min_pool_size=0\n"), std::string::npos)
      << *ini;
}

TEST(PgBouncerIni, TheReadPoolRotatesOverEveryHostOnItsOnePort) {
  std::string tmpl = ReadSource("database/setup/pgbouncer-config.ini");
  stack::PgBouncerLayout layout{.server_host = "127.0.0.1",
                                .unix_socket_dir = "/r",
                                .auth_file = "/u",
                                .logfile = "/l",
                                .pidfile = "/p"};
  auto none = stack::RenderPgBouncerIni(ShippedEnvironment(), layout, tmpl, "tmpl");
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_EQ(none->find("test_platform_ro ="), std::string::npos) << *none;
  layout.read_pool_hosts = {"/s/run/ro5433", "/s/run/ro5434"};
  auto two = stack::RenderPgBouncerIni(ShippedEnvironment(), layout, tmpl, "tmpl");
  ASSERT_TRUE(two.ok()) << two.status().message();
  EXPECT_NE(two->find("\ntest_platform_ro = host=/s/run/ro5433,/s/run/ro5434 port=5432 "
                      "dbname=test_platform\n"),
            std::string::npos)
      << *two;
}

TEST(PgBouncerIni, SettingsComeFromTheTableNotFromPlaceholders) {
  std::string tmpl = ReadSource("database/setup/pgbouncer-config.ini");
  for (const auto& s : core::AllSettings())
    EXPECT_EQ(tmpl.find("{{" + std::string(s.name) + "}}"), std::string::npos) << s.name;
  // An environment that sets one PgBouncer setting gets the table's value for every other one.
  auto env = core::ParseEnvironment(R"({"environments": {"e": {
      "postgres": {"database": "db", "user": "app"},
      "pgbouncer": {"settings": {"default_pool_size": 7}}}}})",
                                    "c.json", "e");
  ASSERT_TRUE(env.ok()) << env.status().message();
  stack::PgBouncerLayout layout{.server_host = "h",
                                .unix_socket_dir = "/r",
                                .auth_file = "/u",
                                .logfile = "/l",
                                .pidfile = "/p"};
  auto ini = stack::RenderPgBouncerIni(*env, layout, tmpl, "tmpl");
  ASSERT_TRUE(ini.ok()) << ini.status().message();
  auto kv = core::ParsePgBouncerIni(*ini);
  EXPECT_EQ(kv["default_pool_size"], "7");
  EXPECT_EQ(kv["admin_users"], "app");
  for (const auto& s : core::AllSettings()) {
    if (s.target != core::Target::kPgBouncer) continue;
    std::string name(s.name);
    if (name != "default_pool_size" && name != "admin_users" && name != "stats_users") {
      EXPECT_EQ(kv[name], s.default_value.value) << name;
    }
    // Each setting sits under its line of documentation.
    EXPECT_NE(ini->find(";; " + std::string(s.doc) + "\n" + name + " = "), std::string::npos)
        << name;
  }
}

TEST(PgBouncerIni, TemplateWithoutTheSettingsBlockIsRefused) {
  stack::PgBouncerLayout layout{.server_host = "h",
                                .unix_socket_dir = "/r",
                                .auth_file = "/u",
                                .logfile = "/l",
                                .pidfile = "/p"};
  std::string tmpl = ReadSource("database/setup/pgbouncer-config.ini");
  tmpl.replace(tmpl.find("{{settings}}"), 12, "pool_mode = session");
  auto ini = stack::RenderPgBouncerIni(ShippedEnvironment(), layout, tmpl, "tmpl");
  ASSERT_FALSE(ini.ok());
  EXPECT_NE(ini.status().message().find("{{settings}}"), std::string::npos)
      << ini.status().message();
}

TEST(PgBouncerIni, RestartOnlyForStartupSettings) {
  std::string base =
      "[pgbouncer]\nlisten_port = 6432\ndefault_pool_size = 20\nmax_client_conn = 200\n";
  std::string pool =
      "[pgbouncer]\nlisten_port = 6432\ndefault_pool_size = 30\nmax_client_conn = 200\n";
  std::string port =
      "[pgbouncer]\nlisten_port = 6433\ndefault_pool_size = 20\nmax_client_conn = 200\n";
  std::string clients =
      "[pgbouncer]\nlisten_port = 6432\ndefault_pool_size = 20\nmax_client_conn = 300\n";
  EXPECT_FALSE(stack::PgBouncerNeedsRestart(base, pool));
  EXPECT_TRUE(stack::PgBouncerNeedsRestart(base, port));
  EXPECT_TRUE(stack::PgBouncerNeedsRestart(base, clients));
}

TEST(Userlist, QuotesAndKeepsTheVerifierByteForByte) {
  EXPECT_EQ(core::RenderUserlist("a\"b", kPencil), std::string("\"a\"\"b\" \"") + kPencil + "\"\n");
}

TEST(PgConf, HoldsThePlanSettingsAndPgstackPaths) {
  core::Environment env = ShippedEnvironment();
  location::StatePaths paths("/st");
  std::string conf = stack::RenderPgConf(env, paths, 5999);
  EXPECT_NE(conf.find("port = 5999\n"), std::string::npos);
  EXPECT_NE(conf.find("max_connections = 200\n"), std::string::npos);
  EXPECT_NE(conf.find("shared_buffers = '256MB'\n"), std::string::npos);
  EXPECT_NE(conf.find("effective_cache_size = '1GB'\n"), std::string::npos);
  EXPECT_NE(conf.find("log_statement = 'all'\n"), std::string::npos);
  EXPECT_NE(conf.find("password_encryption = 'scram-sha-256'\n"), std::string::npos);
  EXPECT_NE(conf.find("hba_file = '/st/data/pgstack_hba.conf'\n"), std::string::npos);
}

// The rows "durability" decides: written on for a durable stack (not left to the server's
// default, which a line of postgresql.conf could change), off in test mode, each under its doc.
TEST(PgConf, DurabilityRowsAreOnForADurableStackAndOffInTestMode) {
  core::Environment env = ShippedEnvironment();
  location::StatePaths paths("/st");
  auto rows = core::SettingsOfKind(core::SettingDefault::Kind::kDurability);
  ASSERT_EQ(rows.size(), 3u);
  std::string durable = stack::RenderPgConf(env, paths, 5999);
  env.durable = false;
  std::string test_mode = stack::RenderPgConf(env, paths, 5999);
  EXPECT_NE(test_mode.find("# Test mode"), std::string::npos) << test_mode;
  EXPECT_EQ(durable.find("# Test mode"), std::string::npos) << durable;
  for (const core::SettingSpec* s : rows) {
    std::string name(s->name), doc = "\n# " + std::string(s->doc) + "\n";
    std::string quote = s->type == core::SettingType::kBool ? "" : "'";
    EXPECT_NE(durable.find(doc + name + " = " + quote + "on" + quote + "\n"), std::string::npos)
        << name << "\n"
        << durable;
    EXPECT_NE(test_mode.find(doc + name + " = " + quote + "off" + quote + "\n"), std::string::npos)
        << name << "\n"
        << test_mode;
    EXPECT_EQ(test_mode.find("\n" + name + " = " + quote + "on"), std::string::npos) << name;
  }
  EXPECT_NE(test_mode.find("\nfsync = off\n"), std::string::npos);
  EXPECT_NE(test_mode.find("\nsynchronous_commit = 'off'\n"), std::string::npos);
  EXPECT_NE(test_mode.find("\nfull_page_writes = off\n"), std::string::npos);
}

TEST(PgConf, ReplicasAddTheirRowInTestModeToo) {
  core::Environment env = ShippedEnvironment("test");
  ASSERT_FALSE(env.durable);
  location::StatePaths paths("/st");
  EXPECT_EQ(stack::RenderPgConf(env, paths, 5999).find("max_slot_wal_keep_size"),
            std::string::npos);
  env.replication.replicas = 2;
  std::string conf = stack::RenderPgConf(env, paths, 5999);
  const core::SettingSpec* spec =
      core::FindSetting(core::Target::kPostgres, "max_slot_wal_keep_size");
  ASSERT_NE(spec, nullptr);
  EXPECT_NE(conf.find("# " + std::string(spec->doc) + "\nmax_slot_wal_keep_size = '1GB'\n"),
            std::string::npos)
      << conf;
  EXPECT_NE(conf.find("\nfsync = off\n"), std::string::npos) << conf;
}

TEST(StatePaths, AreAbsoluteBecauseServersStartFromRoot) {
  location::StatePaths paths(".pgstack/");
  std::string cwd = std::filesystem::current_path().string();
  EXPECT_EQ(paths.root, cwd + "/.pgstack");
  EXPECT_EQ(paths.data, cwd + "/.pgstack/data");
  EXPECT_EQ(location::StatePaths("/a/../b").run, "/b/run");
}

TEST(PgHba, NoTrustAndLoopbackOnly) {
  core::Environment env = ShippedEnvironment();
  std::string hba = stack::RenderHba(env, "postgres");
  EXPECT_EQ(hba.find("trust"), std::string::npos);
  EXPECT_NE(hba.find("local   all       postgres    peer map=pgstack"), std::string::npos);
  EXPECT_EQ(hba.find("host    all       all   all"), std::string::npos);
}

TEST(PgHba, TestdbRolesReachTheirOwnDatabaseOnly) {
  std::string hba = stack::RenderHba(ShippedEnvironment(), "postgres");
  size_t own = hba.find("host    sameuser  +pgstack_testdb_roles  127.0.0.1/32  scram-sha-256");
  size_t rejected = hba.find("host    all       +pgstack_testdb_roles  all           reject");
  size_t everyone = hba.find("host    all       all   127.0.0.1/32  scram-sha-256");
  ASSERT_NE(own, std::string::npos) << hba;
  ASSERT_NE(rejected, std::string::npos) << hba;
  // First match wins: their own database, then the refusal, before the rule for everyone.
  EXPECT_LT(own, rejected);
  EXPECT_LT(rejected, everyone);
  EXPECT_LT(hba.find("local   all       +pgstack_testdb_roles  reject"),
            hba.find("local   all       all   scram-sha-256"));
}

TEST(PgIdent, MapsTheInvokingUserToTheSuperuser) {
  EXPECT_EQ(stack::RenderIdent("postgres", "postgres", "root"),
            "# Written by pgstack: OS users allowed to log in as the superuser by peer.\n"
            "pgstack  postgres  postgres\npgstack  root  postgres\n");
}

}  // namespace
}  // namespace pgstack
