// Config parsing: the shipped file, every bad input the issue lists, and environment overrides.
#include "pgstack/core/config.h"

#include <gtest/gtest.h>

#include <map>

#include "pgstack/location/environment.h"

namespace pgstack {
namespace {

core::EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](const std::string& k) -> std::optional<std::string> {
    auto it = vars.find(k);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// The file's environment with the process environment `vars` on top, as commands see it.
Result<core::Environment> Parse(const std::string& text, const std::string& file,
                                const std::string& name, const core::EnvLookup& vars) {
  PGSTACK_ASSIGN_OR_RETURN(core::Environment env, core::ParseEnvironment(text, file, name));
  PGSTACK_RETURN_IF_ERROR(location::ApplyEnvOverrides(env, vars));
  return env;
}

std::string Minimal(const std::string& extra_pg_settings = "", const std::string& mode = "local") {
  return R"({"environments": {"dev": {"mode": ")" + mode + R"(", "postgres": {
      "database": "db", "user": "u", "password_env": "APP_PW", "port": 5432,
      "settings": {"max_connections": 200)" +
         extra_pg_settings + R"(}},
    "pgbouncer": {"port": 6432, "settings": {"pool_mode": "transaction"}}}}})";
}

TEST(Config, ShippedFileHasThePlanValues) {
  auto env = location::LoadEnvironment(std::string(PGSTACK_SOURCE_DIR) + "/config/database.json",
                                       "development", FakeEnv({}));
  ASSERT_TRUE(env.ok()) << env.status().message();
  EXPECT_EQ(env->mode, core::Mode::kLocal);
  EXPECT_EQ(env->postgres.database, "test_platform");
  EXPECT_EQ(env->postgres.user, "test_platform_user");
  EXPECT_EQ(env->setting("max_connections"), "200");
  EXPECT_EQ(env->setting("shared_buffers"), "256MB");
  EXPECT_EQ(env->setting("effective_cache_size"), "1GB");
  EXPECT_EQ(env->setting("log_statement"), "all");
  EXPECT_EQ(env->setting("pool_mode"), "transaction");
  EXPECT_EQ(env->setting("max_client_conn"), "200");
  EXPECT_EQ(env->setting("default_pool_size"), "20");
  EXPECT_EQ(env->setting("min_pool_size"), "5");
  EXPECT_EQ(env->setting("reserve_pool_size"), "5");
  EXPECT_EQ(env->setting("max_db_connections"), "50");
  EXPECT_EQ(env->pgbouncer.port, 6432);
  EXPECT_EQ(env->postgres.extensions, (std::vector<std::string>{"btree_gin", "btree_gist"}));
  auto prod = location::LoadEnvironment(std::string(PGSTACK_SOURCE_DIR) + "/config/database.json",
                                        "production", FakeEnv({}));
  ASSERT_TRUE(prod.ok()) << prod.status().message();
  EXPECT_EQ(prod->mode, core::Mode::kExternal);
}

TEST(Config, ShippedEnvironmentsDifferWhereThePlanSays) {
  std::map<std::string, core::Environment> envs;
  for (const char* name : {"development", "test", "production"}) {
    auto env =
        core::LoadEnvironment(std::string(PGSTACK_SOURCE_DIR) + "/config/database.json", name);
    ASSERT_TRUE(env.ok()) << env.status().message();
    envs[name] = *env;
  }
  EXPECT_EQ(envs["development"].setting("log_statement"), "all");
  EXPECT_EQ(envs["test"].setting("log_statement"), "none");
  EXPECT_EQ(envs["production"].setting("log_statement"), "ddl");
  EXPECT_EQ(envs["test"].setting("listen_addresses"), "127.0.0.1");
  // An external server's listen_addresses is its operator's: production leaves it alone.
  EXPECT_EQ(envs["production"].setting("listen_addresses"), std::nullopt);
  EXPECT_EQ(envs["test"].postgres.port, 0);
  for (auto& [name, env] : envs) {
    EXPECT_EQ(env.postgres.database, "test_platform") << name;
    EXPECT_EQ(env.postgres.extensions, (std::vector<std::string>{"btree_gin", "btree_gist"}))
        << name;
    EXPECT_EQ(env.setting("pool_mode"), "transaction") << name;
    EXPECT_EQ(env.setting("max_db_connections"), "50") << name;
    EXPECT_EQ(env.setting("server_lifetime"), "3600") << name;
    EXPECT_EQ(env.setting("admin_users"), "test_platform_user") << name;
    EXPECT_EQ(env.setting("password_encryption"), "scram-sha-256") << name;
  }
}

TEST(Config, LeftOutSettingTakesTheTableDefault) {
  auto env = Parse(Minimal(), "c", "dev", FakeEnv({}));  // sets max_connections and pool_mode only
  ASSERT_TRUE(env.ok()) << env.status().message();
  EXPECT_EQ(env->setting("max_connections"), "200");
  EXPECT_EQ(env->setting("shared_buffers"), "256MB");
  EXPECT_EQ(env->setting("log_statement"), "all");
  EXPECT_EQ(env->setting("default_pool_size"), "20");
  EXPECT_EQ(env->setting("query_wait_timeout"), "120");
  EXPECT_EQ(env->setting("admin_users"), "u");                // the application role
  EXPECT_EQ(env->setting("listen_addresses"), std::nullopt);  // no default: written only where set
  auto changed = Parse(Minimal(R"(, "shared_buffers": "512MB")"), "c", "dev", FakeEnv({}));
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->setting("shared_buffers"), "512MB");
}

// Two environments on one "defaults" object: what they share, once.
std::string WithDefaults(const std::string& defaults) {
  return R"({"defaults": )" + defaults + R"(,
    "environments": {
      "a": {"postgres": {"port": 5433, "settings": {"log_statement": "none"}}},
      "b": {"mode": "external", "postgres": {"extensions": ["hstore"]},
            "pgbouncer": {"settings": {"default_pool_size": 30}}}}})";
}
constexpr char kDefaults[] = R"({"postgres": {"database": "db", "user": "u",
    "extensions": ["btree_gin"], "settings": {"shared_buffers": "1GB", "log_statement": "ddl"}},
    "pgbouncer": {"settings": {"default_pool_size": 10, "min_pool_size": 2}}})";

TEST(Config, EnvironmentsShareTheDefaultsObject) {
  auto a = core::ParseEnvironment(WithDefaults(kDefaults), "c.json", "a");
  auto b = core::ParseEnvironment(WithDefaults(kDefaults), "c.json", "b");
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(a->postgres.database, "db");
  EXPECT_EQ(b->postgres.user, "u");
  EXPECT_EQ(a->postgres.port, 5433);
  EXPECT_EQ(b->postgres.port, 5432);
  EXPECT_EQ(a->mode, core::Mode::kLocal);
  EXPECT_EQ(b->mode, core::Mode::kExternal);
  // Settings merge one by one: the environment's over the defaults' over the table's.
  EXPECT_EQ(a->setting("shared_buffers"), "1GB");
  EXPECT_EQ(a->setting("log_statement"), "none");
  EXPECT_EQ(b->setting("log_statement"), "ddl");
  EXPECT_EQ(b->setting("default_pool_size"), "30");
  EXPECT_EQ(b->setting("min_pool_size"), "2");
  EXPECT_EQ(a->setting("max_connections"), "200");
  // A list is replaced, not appended to.
  EXPECT_EQ(a->postgres.extensions, std::vector<std::string>{"btree_gin"});
  EXPECT_EQ(b->postgres.extensions, std::vector<std::string>{"hstore"});
}

TEST(Config, MigrateObjectMergesByNameAndChecksTypes) {
  auto env = core::ParseEnvironment(
      R"({"defaults": {"postgres": {"database": "db", "user": "u"},
           "migrate": {"flyway_placeholders": {"Owner": "alice", "schema": "s"},
                       "lint_disable": {"m": ["dropping-table"]},
                       "history": {"m": "m_history", "n": "n_history"}}},
          "environments": {"a": {"migrate": {"flyway_placeholders": {"schema": "t"},
                                             "history": {"n": "a_history"}}}}})",
      "c.json", "a");
  ASSERT_TRUE(env.ok()) << env.status().message();
  // Names are lower-cased (Flyway matches them without regard to case); each one merges.
  EXPECT_EQ(env->migrate.flyway_placeholders,
            (std::map<std::string, std::string>{{"owner", "alice"}, {"schema", "t"}}));
  EXPECT_EQ(env->migrate.lint_disable.at("m"), std::vector<std::string>{"dropping-table"});
  EXPECT_EQ(env->migrate.history,
            (std::map<std::string, std::string>{{"m", "m_history"}, {"n", "a_history"}}));
  auto bad = [](const std::string& migrate) {
    auto e = core::ParseEnvironment(
        R"({"environments": {"a": {"postgres": {"database": "d", "user": "u"}, "migrate": )" +
            migrate + "}}}",
        "c.json", "a");
    return e.ok() ? std::string() : e.status().message();
  };
  EXPECT_EQ(bad(R"({"flyway_placeholders": {"x": 1}})"),
            "c.json: $.environments.a.migrate.flyway_placeholders.x: must be a string");
  EXPECT_EQ(bad(R"({"lint_disable": {"m": "dropping-table"}})"),
            "c.json: $.environments.a.migrate.lint_disable.m: must be an array of rule names");
  EXPECT_EQ(bad(R"({"history": ["m"]})"),
            "c.json: $.environments.a.migrate.history: must be an object of directory: history "
            "name");
  EXPECT_EQ(bad(R"({"history": {"m": 1}})"),
            "c.json: $.environments.a.migrate.history.m: must be a string");
  EXPECT_EQ(bad(R"({"lint": {}})"), "c.json: $.environments.a.migrate.lint: unknown key");
}

TEST(Config, DefaultsErrorsNameTheirPath) {
  auto expect_error = [](const std::string& defaults, const std::string& message) {
    auto env = core::ParseEnvironment(WithDefaults(defaults), "c.json", "a");
    ASSERT_FALSE(env.ok()) << defaults;
    EXPECT_EQ(env.status().code(), Code::kInvalidInput);
    EXPECT_EQ(env.status().message(), message);
  };
  expect_error("[]", "c.json: $.defaults: must be an object");
  expect_error(R"({"postgress": {}})", "c.json: $.defaults.postgress: unknown key");
  expect_error(R"({"postgres": {"database": "db", "user": "u", "prot": 1}})",
               "c.json: $.defaults.postgres.prot: unknown key");
  expect_error(
      R"({"postgres": {"database": "db", "user": "u"},
                   "pgbouncer": {"settings": {"default_pool_size": "many"}}})",
      "c.json: $.defaults.pgbouncer.settings.default_pool_size: must be an integer, not \"many\"");
  expect_error(R"({"pgbouncer": {"settings": {"pool_size": 3}}})",
               "c.json: $.defaults.pgbouncer.settings.pool_size: unknown setting "
               "(docs/configuration.md lists them)");
  expect_error(R"({"mode": "remote"})",
               "c.json: $.defaults.mode: must be \"local\" or \"external\"");
  // What neither the defaults nor the environment give is missing from the environment.
  expect_error(R"({"postgres": {"user": "u"}})",
               "c.json: $.environments.a.postgres.database: missing");
}

// Test mode: "durability": "off" in a local environment; the shipped test environment has it.
TEST(Config, DurabilityOffIsTestModeOfALocalStack) {
  auto with = [](const std::string& mode, const std::string& durability) {
    std::string text = Minimal("", mode);
    text.insert(text.find("\"postgres\""), "\"durability\": " + durability + ", ");
    return core::ParseEnvironment(text, "db.json", "dev");
  };
  auto off = with("local", "\"off\"");
  ASSERT_TRUE(off.ok()) << off.status().message();
  EXPECT_FALSE(off->durable);
  auto on = core::ParseEnvironment(Minimal(), "db.json", "dev");
  ASSERT_TRUE(on.ok());
  EXPECT_TRUE(on->durable);
  auto bad = with("local", "false");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidInput);
  EXPECT_NE(bad.status().message().find("$.environments.dev.durability"), std::string::npos);
  auto external = with("external", "\"off\"");
  ASSERT_FALSE(external.ok());
  EXPECT_EQ(external.status().code(), Code::kInvalidInput);
  EXPECT_NE(external.status().message().find("db.json: $.environments.dev.durability"),
            std::string::npos)
      << external.status().message();

  std::string shipped = std::string(PGSTACK_SOURCE_DIR) + "/config/database.json";
  auto test = core::LoadEnvironment(shipped, "test");
  auto dev = core::LoadEnvironment(shipped, "development");
  ASSERT_TRUE(test.ok() && dev.ok());
  EXPECT_FALSE(test->durable);
  EXPECT_TRUE(dev->durable);
}

TEST(Config, MissingFileNamesIt) {
  auto env = location::LoadEnvironment("/nonexistent/database.json", "dev", FakeEnv({}));
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.status().code(), Code::kInvalidInput);
  EXPECT_NE(env.status().message().find("/nonexistent/database.json"), std::string::npos);
}

TEST(Config, InvalidJsonNamesLineAndColumn) {
  auto env =
      Parse("{\n  \"environments\": {\n    \"dev\": [,]\n  }\n}", "c.json", "dev", FakeEnv({}));
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.status().code(), Code::kInvalidInput);
  EXPECT_NE(env.status().message().find("c.json: invalid JSON at line 3, column 13"),
            std::string::npos)
      << env.status().message();
}

// The config fuzz target found it: nlohmann throws out_of_range, not parse_error, for 1e999.
TEST(Config, ANumberBeyondDoubleIsBadInputNotACrash) {
  auto env = Parse(R"({"environments": {"dev": {"postgres": {"port": -2e944}}}})", "c.json", "dev",
                   FakeEnv({}));
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.status().code(), Code::kInvalidInput);
  EXPECT_EQ(env.status().message(), "c.json: invalid JSON: a number out of range");
}

TEST(Config, UnknownKeyNamesThePath) {
  std::string text = Minimal();
  text.replace(text.find("\"port\": 5432"), 12, "\"prot\": 5432");
  auto env = Parse(text, "c.json", "dev", FakeEnv({}));
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.status().message(), "c.json: $.environments.dev.postgres.prot: unknown key");
}

TEST(Config, UnknownSettingNamesThePath) {
  auto env = Parse(Minimal(R"(, "max_conections": 5)"), "c.json", "dev", FakeEnv({}));
  ASSERT_FALSE(env.ok());
  EXPECT_NE(env.status().message().find(
                "$.environments.dev.postgres.settings.max_conections: unknown setting"),
            std::string::npos);
}

// fsync and the rest are pgstack's to decide (from "durability" and the replicas): the config's
// settings refuse them in one line that says what to change instead.
TEST(Config, SettingsPgstackDecidesAreRefusedNamingWhatDecidesThem) {
  struct Case {
    const char* setting;
    const char* message;
  } cases[] = {
      {R"("fsync": false)", "fsync: pgstack decides it from \"durability\", not from settings"},
      {R"("full_page_writes": true)",
       "full_page_writes: pgstack decides it from \"durability\", not from settings"},
      {R"("synchronous_commit": "off")",
       "synchronous_commit: pgstack decides it from \"durability\", not from settings"},
      {R"("max_slot_wal_keep_size": "2GB")",
       "max_slot_wal_keep_size: pgstack decides it from the stack's replicas "
       "(replication.replicas, up --replicas), not from settings"},
  };
  for (const auto& c : cases) {
    auto env = Parse(Minimal(std::string(", ") + c.setting), "c.json", "dev", FakeEnv({}));
    ASSERT_FALSE(env.ok()) << c.setting;
    EXPECT_EQ(env.status().code(), Code::kInvalidInput);
    EXPECT_EQ(env.status().message(),
              std::string("c.json: $.environments.dev.postgres.settings.") + c.message);
    EXPECT_EQ(env.status().message().find('\n'), std::string::npos);
  }
}

TEST(Config, WrongTypeNamesPathAndValue) {
  std::string text = Minimal();
  text.replace(text.find("200"), 3, "\"lots\"");
  auto env = Parse(text, "c.json", "dev", FakeEnv({}));
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.status().code(), Code::kInvalidInput);
  EXPECT_EQ(env.status().message(),
            "c.json: $.environments.dev.postgres.settings.max_connections: must be an integer, "
            "not \"lots\"");
}

TEST(Config, KeywordSettingsTakeTheirKeywordsOnly) {
  // PgBouncer would not start with it, and say why only in its own log.
  std::string text = Minimal();
  text.replace(text.find("\"transaction\""), 13, "\"bogus\"");
  auto env = Parse(text, "c.json", "dev", FakeEnv({}));
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.status().message(),
            "c.json: $.environments.dev.pgbouncer.settings.pool_mode: must be one of session, "
            "transaction, statement, not \"bogus\"");
}

TEST(Config, SizeSettingsTakeUnitsOnly) {
  EXPECT_TRUE(Parse(Minimal(R"(, "shared_buffers": "256MB")"), "c", "dev", FakeEnv({})).ok());
  auto bad = Parse(Minimal(R"(, "shared_buffers": "lots")"), "c", "dev", FakeEnv({}));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("must be a size"), std::string::npos);
}

// Values of the right type that no server or PgBouncer takes: refused at load, naming the
// setting, with the allowed values, in one line.
TEST(Config, SettingsOutsideTheirRangeAreRefused) {
  struct Case {
    std::string pg_settings, names, says;
  } cases[] = {
      {R"(, "max_connections": 0)", "postgres.settings.max_connections",
       "must be from 1 to 262143, not 0"},
      {R"(, "max_connections": -5)", "max_connections", "not -5"},
      {R"(, "max_connections": 300000)", "max_connections", "not 300000"},
      {R"(, "log_statement": "everything")", "log_statement",
       "must be one of none, ddl, mod, all, not \"everything\""},
      {R"(, "shared_buffers": "900TB")", "shared_buffers", "must be from 128kB to 8TB"},
      {R"(, "password_encryption": "md5")", "password_encryption",
       "must be one of scram-sha-256, not \"md5\""},
  };
  for (const auto& c : cases) {
    std::string text = Minimal(c.pg_settings);
    // Minimal() sets max_connections itself: the case's value must be the one that counts.
    const std::string plan = "\"max_connections\": 200,";
    if (c.pg_settings.find("max_connections") != std::string::npos)
      text.replace(text.find(plan), plan.size(), "");
    auto env = Parse(text, "c.json", "dev", FakeEnv({}));
    ASSERT_FALSE(env.ok()) << c.pg_settings;
    const std::string& m = env.status().message();
    EXPECT_EQ(env.status().code(), Code::kInvalidInput);
    EXPECT_NE(m.find(c.names), std::string::npos) << m;
    EXPECT_NE(m.find(c.says), std::string::npos) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  }
  std::string pool = Minimal();
  const std::string mode = "\"pool_mode\": \"transaction\"";
  pool.replace(pool.find(mode), mode.size(), mode + ", \"default_pool_size\": -3");
  auto env = Parse(pool, "c.json", "dev", FakeEnv({}));
  ASSERT_FALSE(env.ok());
  EXPECT_NE(env.status().message().find("default_pool_size: must be from 1 to"), std::string::npos)
      << env.status().message();
}

TEST(Config, NamesAreWhatPostgreSQLAndPgBouncerTakeWhole) {
  struct Case {
    std::string from, to, says;
  } cases[] = {
      {R"("database": "db")", R"("database": "a'b")", "postgres.database: may hold only"},
      {R"("user": "u")", "\"user\": \"" + std::string(100, 'r') + "\"",
       "postgres.user: must be 1 to 63 bytes long, not 100"},
      {R"("password_env": "APP_PW")", R"("password_env": "A B=C")",
       "password_env: must be the name of an environment variable"},
      {R"("port": 6432)", R"("port": 6432, "listen_addr": "127.0.0.1\nx")",
       "pgbouncer.listen_addr: must not contain spaces"},
  };
  for (const auto& c : cases) {
    std::string text = Minimal();
    ASSERT_NE(text.find(c.from), std::string::npos) << c.from;
    text.replace(text.find(c.from), c.from.size(), c.to);
    auto env = Parse(text, "c.json", "dev", FakeEnv({}));
    ASSERT_FALSE(env.ok()) << c.to;
    EXPECT_NE(env.status().message().find(c.says), std::string::npos) << env.status().message();
    EXPECT_EQ(env.status().message().find('\n'), std::string::npos) << env.status().message();
  }
}

TEST(Config, DuplicateKeysAreRefused) {
  std::string text = Minimal();
  text.replace(text.find(R"("user": "u")"), 11, R"("user": "u", "user": "v")");
  auto env = Parse(text, "c.json", "dev", FakeEnv({}));
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.status().message(), "c.json: $.environments.dev.postgres.user: duplicate key");
}

TEST(Config, UnknownEnvironmentListsTheKnownOnes) {
  auto env = Parse(Minimal(), "c.json", "staging", FakeEnv({}));
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.status().message(), "c.json: no environment 'staging' (it has: dev)");
}

TEST(Config, BadPortIsRejected) {
  std::string text = Minimal();
  text.replace(text.find("6432"), 4, "70000");
  auto env = Parse(text, "c.json", "dev", FakeEnv({}));
  ASSERT_FALSE(env.ok());
  EXPECT_NE(env.status().message().find("$.environments.dev.pgbouncer.port"), std::string::npos);
}

TEST(Config, PasswordComesFromTheNamedVariable) {
  auto env = Parse(Minimal(), "c", "dev", FakeEnv({{"APP_PW", "s3cret"}}));
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->postgres.password, "s3cret");
  auto none = Parse(Minimal(), "c", "dev", FakeEnv({}));
  EXPECT_EQ(none->postgres.password, "");
}

TEST(Config, LibpqVariablesOverrideTheFileOfAnExternalServer) {
  auto env = Parse(Minimal("", "external"), "c", "dev",
                   FakeEnv({{"PGUSER", "alice"}, {"PGDATABASE", "other"}, {"PGPASSWORD", "pw"}}));
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->postgres.user, "alice");
  EXPECT_EQ(env->postgres.database, "other");
  EXPECT_EQ(env->postgres.password, "pw");
}

// `eval "$(pgstack --state-dir A env)"` exports A's PGPASSWORD, PGUSER, DATABASE_URL...: stack B
// must keep its own password (an `up` would set the role's to A's), user, database and port.
TEST(Config, LibpqVariablesDoNotReachALocalStack) {
  auto env = Parse(Minimal(), "c", "dev",
                   FakeEnv({{"PGUSER", "alice"},
                            {"PGDATABASE", "other"},
                            {"PGPASSWORD", "a-password"},
                            {"PGHOST", "elsewhere"},
                            {"DATABASE_URL", "postgresql://bob:urlpw@h:7000/appdb"}}));
  ASSERT_TRUE(env.ok()) << env.status().message();
  EXPECT_EQ(env->postgres.user, "u");
  EXPECT_EQ(env->postgres.database, "db");
  EXPECT_EQ(env->postgres.password, "");
  EXPECT_EQ(env->postgres.host, "127.0.0.1");
  EXPECT_EQ(env->postgres.port, 5432);
  auto named = Parse(Minimal(), "c", "dev", FakeEnv({{"PGPASSWORD", "x"}, {"APP_PW", "mine"}}));
  EXPECT_EQ(named->postgres.password, "mine");  // the config's own variable still counts
}

TEST(Config, HostAndPortOverridesApplyToExternalOnly) {
  auto vars = FakeEnv({{"PGHOST", "db.internal"}, {"PGPORT", "6543"}});
  auto local = Parse(Minimal(), "c", "dev", vars);
  EXPECT_EQ(local->postgres.port, 5432);  // `pgstack env` exports PGPORT: it must not loop back
  auto ext = Parse(Minimal("", "external"), "c", "dev", vars);
  EXPECT_EQ(ext->postgres.host, "db.internal");
  EXPECT_EQ(ext->postgres.port, 6543);
}

TEST(Config, DatabaseUrlOverridesAndNamedVariableWins) {
  auto env = Parse(
      Minimal("", "external"), "c", "dev",
      FakeEnv({{"DATABASE_URL", "postgresql://bob:urlpw@h:7000/appdb"}, {"APP_PW", "named"}}));
  ASSERT_TRUE(env.ok()) << env.status().message();
  EXPECT_EQ(env->postgres.user, "bob");
  EXPECT_EQ(env->postgres.database, "appdb");
  EXPECT_EQ(env->postgres.host, "h");
  EXPECT_EQ(env->postgres.port, 7000);
  EXPECT_EQ(env->postgres.password, "named");
}

// dbmate users export DATABASE_URL; a PGDATABASE left over from a psql session must not send
// their migrations to another database. The URL wins for the fields it names, PG* fill the rest.
TEST(Config, DatabaseUrlWinsOverLibpqVariablesForTheFieldsItNames) {
  auto env = Parse(Minimal("", "external"), "c", "dev",
                   FakeEnv({{"DATABASE_URL", "postgresql://bob@h/appdb"},
                            {"PGDATABASE", "other"},
                            {"PGUSER", "alice"},
                            {"PGPORT", "6543"},
                            {"PGPASSWORD", "pw"}}));
  ASSERT_TRUE(env.ok()) << env.status().message();
  EXPECT_EQ(env->postgres.database, "appdb");
  EXPECT_EQ(env->postgres.user, "bob");
  EXPECT_EQ(env->postgres.host, "h");
  EXPECT_EQ(env->postgres.port, 6543);  // the URL names no port
  EXPECT_EQ(env->postgres.password, "pw");
}

TEST(Config, BadDatabaseUrlDoesNotEchoIt) {
  auto env = Parse(Minimal("", "external"), "c", "dev",
                   FakeEnv({{"DATABASE_URL", "postgresql://u:topsecret@h:x/db"}}));
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.status().message().find("topsecret"), std::string::npos) << env.status().message();
}

}  // namespace
}  // namespace pgstack
