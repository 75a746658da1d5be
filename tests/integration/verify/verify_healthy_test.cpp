// verify on a healthy stack (the binary's shared stack, never broken here): every check passes,
// selection works, bad usage is exit 2, and running it changes nothing in the database.
#include <gtest/gtest.h>

#include "verify_helpers.h"

namespace pgstack::testing {
namespace {

TEST(VerifyHealthy, EveryCheckPassesWithExitZero) {
  Verdict v = RunVerify(TestStack::Shared());
  ASSERT_EQ(v.exit_code, 0) << v.output;
  ASSERT_TRUE(v.doc.is_object()) << v.output;
  EXPECT_GE(v.status.size(), 12u);
  for (const auto& [id, status] : v.status) {
    // The only check that may not apply to a local stack: no credentials file when the password
    // came from the environment.
    if (id == "security.credentials_mode" && status == "skip") continue;
    // This stack has no replicas: a plain verify leaves the replication checks out (on a stack
    // with a replica every one of them passes: Replica.EveryVerifyCheckPasses).
    EXPECT_NE(id.rfind("replication.", 0), 0u) << id << " cannot apply to a stack without replicas";
    EXPECT_EQ(status, "pass") << v.checks[id].dump();
  }
  EXPECT_EQ(v.doc["failed"], 0);
  EXPECT_EQ(v.doc["passed"].get<size_t>() + v.doc["skipped"].get<size_t>(), v.status.size());
  for (const auto& c : v.doc["checks"]) {
    for (const char* key : {"id", "status", "detail", "ms", "expected", "actual"}) {
      EXPECT_TRUE(c.contains(key)) << c.dump() << " has no " << key;
    }
  }
  // The JSONB figures are reported.
  std::string perf = v.checks["jsonb.performance"]["detail"];
  EXPECT_NE(perf.find("20000 rows"), std::string::npos) << perf;
  EXPECT_NE(perf.find("seq scan"), std::string::npos) << perf;
}

TEST(VerifyHealthy, ReplicationChecksAskedForByNameSayTheStackHasNoReplicas) {
  Verdict v = RunVerify(TestStack::Shared(), {"--check", "replication"});
  ASSERT_EQ(v.exit_code, 0) << v.output;
  EXPECT_EQ(v.status.size(), 5u) << v.output;
  for (const auto& [id, status] : v.status) {
    EXPECT_EQ(id.rfind("replication.", 0), 0u) << id;
    EXPECT_EQ(status, "skip") << v.checks[id].dump();
    EXPECT_NE(v.checks[id]["detail"].get<std::string>().find("no replica"), std::string::npos)
        << v.checks[id].dump();
  }
}

TEST(VerifyHealthy, HumanOutputIsATableWithASummary) {
  core::CommandOutput out = TestStack::Shared().Pgstack({"verify", "--check", "postgres"});
  ASSERT_EQ(out.exit_code, 0) << out.output;
  EXPECT_EQ(out.output.rfind("CHECK", 0), 0u) << out.output;
  EXPECT_NE(out.output.find("postgres.version"), std::string::npos);
  // The postgres group: running, login, version, settings, durability, database, create_table,
  // extensions.
  EXPECT_NE(out.output.find("checks: 8 passed, 0 failed, 0 skipped"), std::string::npos)
      << out.output;
}

TEST(VerifyHealthy, CheckSelectsIdsAndGroups) {
  Verdict v = RunVerify(TestStack::Shared(),
                        {"--check", "postgres.version", "--check", "pgbouncer.pools,jsonb"});
  ASSERT_EQ(v.exit_code, 0) << v.output;
  std::set<std::string> ids;
  for (const auto& [id, status] : v.status) ids.insert(id);
  EXPECT_EQ(ids, (std::set<std::string>{"postgres.version", "pgbouncer.pools", "jsonb.script",
                                        "jsonb.gin_index", "jsonb.performance"}));
}

TEST(VerifyHealthy, UnknownCheckIsBadUsageNamingItAndTheList) {
  core::CommandOutput out = TestStack::Shared().Pgstack({"verify", "--check", "postgres.nope"});
  EXPECT_EQ(out.exit_code, 2) << out.output;
  EXPECT_NE(out.output.find("'postgres.nope'"), std::string::npos) << out.output;
  EXPECT_NE(out.output.find("security.hba_no_trust"), std::string::npos) << out.output;
}

TEST(VerifyHealthy, NoStackInTheStateDirIsSaidOnce) {
  std::string nowhere = TempDir("verify-nostack") + "/none";
  core::CommandOutput out = RunPgstack({"--config", SourceDir() + "/config/database.json", "--env",
                                        "test", "--state-dir", nowhere, "verify"});
  EXPECT_EQ(out.exit_code, 6) << "README: exit 6, no stack: " << out.output;
  EXPECT_NE(out.output.find("no stack in " + nowhere), std::string::npos) << out.output;
  EXPECT_EQ(out.output.find("CHECK"), std::string::npos) << "no table of identical failures";
}

// Everything a verify run could leave behind: relations, schemas, roles, databases, extensions,
// per-database/role settings, and the rows of every user table.
std::string Snapshot(const TestStack& stack) {
  pg::ConnParams p = stack.endpoints().superuser;
  p.dbname = stack.env().postgres.database;
  auto conn = pg::Connection::Open(p);
  if (!conn.ok()) return "cannot connect: " + conn.status().message();
  std::string out;
  for (const char* sql :
       {"SELECT string_agg(n.nspname || '.' || c.relname || ':' || c.relkind, ',' "
        "ORDER BY 1) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace",
        "SELECT string_agg(nspname, ',' ORDER BY 1) FROM pg_namespace",
        "SELECT string_agg(rolname || ':' || coalesce(rolpassword, ''), ',' ORDER BY 1) "
        "FROM pg_authid",
        "SELECT string_agg(datname, ',' ORDER BY 1) FROM pg_database",
        "SELECT string_agg(extname || ' ' || extversion, ',' ORDER BY 1) FROM pg_extension",
        "SELECT count(*) FROM pg_db_role_setting",
        "SELECT coalesce(string_agg(format('%s.%s=%s', schemaname, relname, "
        "(xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', "
        "schemaname, relname), false, true, '')))[1]::text), ',' ORDER BY 1), 'no tables') "
        "FROM pg_stat_user_tables"}) {
    auto r = conn->Exec(sql);
    out += (r.ok() ? r->scalar() : "error: " + r.status().message()) + "\n";
  }
  return out;
}

TEST(VerifyHealthy, VerifyTwiceLeavesTheDatabaseExactlyAsItWas) {
  const TestStack& stack = TestStack::Shared();
  std::string before = Snapshot(stack);
  ASSERT_EQ(before.find("cannot connect"), std::string::npos) << before;
  ASSERT_EQ(RunVerify(stack).exit_code, 0);
  ASSERT_EQ(RunVerify(stack).exit_code, 0);
  EXPECT_EQ(Snapshot(stack), before);
  EXPECT_EQ(before.find("test_jsonb"), std::string::npos) << before;
  EXPECT_EQ(before.find("pgstack_verify"), std::string::npos) << before;
}

}  // namespace
}  // namespace pgstack::testing
