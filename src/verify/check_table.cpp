// The one table of checks, and how `--check` arguments select from it.
#include <fmt/format.h>

#include "checks.h"
#include "pgstack/verify/check.h"

namespace pgstack::verify {
namespace {

constexpr CheckSpec kChecks[] = {
    // PostgreSQL.
    {"postgres.running", "PostgreSQL accepts connections on its TCP port",
     "start the stack: pgstack up (the server log is logs/postgresql.log in the state dir)",
     PostgresRunning},
    {"postgres.login", "the application role logs in to its database over TCP with SCRAM",
     "pgstack up re-provisions the role and its password; check pg_hba and the password variable",
     PostgresLogin},
    {"postgres.version", "the server is PostgreSQL 17.x",
     "point pgstack at PostgreSQL 17 binaries (--pg-bin) or a 17.x server", PostgresVersion},
    {"postgres.settings",
     "every server setting of the config is in effect, none waiting for a restart",
     "pgstack up writes the settings; a restart-only one needs pgstack down && pgstack up; undo an "
     "override with ALTER SYSTEM RESET name; SELECT pg_reload_conf()",
     PostgresSettings},
    {"postgres.durability",
     "the settings \"durability\" decides (the settings table's, named in the detail) are on, or "
     "all off in test mode (\"durability\": \"off\")",
     "pgstack up writes them for a local stack and resets their ALTER SYSTEM overrides; undo an "
     "ALTER ROLE/DATABASE ... SET of one, or set \"durability\" in config/database.json",
     PostgresDurability},
    {"postgres.database", "the database exists, owned by the application role, which can log in",
     "pgstack up creates the role and the database", PostgresDatabase},
    {"postgres.create_table",
     "the application role can create a table in schema public (tried, rolled back)",
     "GRANT CREATE ON SCHEMA public to the role (pgstack up does)", PostgresCreateTable},
    {"postgres.extensions", "the configured extensions (btree_gin, btree_gist) are installed",
     "pgstack up creates them (CREATE EXTENSION name)", PostgresExtensions},
    // JSONB, the plan's step 2.
    {"jsonb.script",
     "database/setup/test-jsonb.sql runs, every result is as expected, and it leaves nothing",
     "run it by hand to see the failing step: psql -v ON_ERROR_STOP=1 -f "
     "database/setup/test-jsonb.sql",
     JsonbScript},
    {"jsonb.gin_index",
     "a GIN index on JSONB builds valid and the planner chooses it for containment (@>) on "
     "realistic data",
     "check the planner settings (enable_bitmapscan, random_page_cost) in postgresql.auto.conf "
     "and ALTER DATABASE/ROLE ... SET",
     JsonbGinIndex},
    {"jsonb.performance",
     "the indexed containment query stays under verify.jsonb_max_ms and beats a sequential scan "
     "by verify.jsonb_min_speedup",
     "look for load on the machine or server (pgstack bench jsonb measures in depth); the limits "
     "are verify.* in config/database.json",
     JsonbPerformance},
    // PgBouncer, the plan's step 3.
    {"pgbouncer.running", "PgBouncer accepts connections on its port",
     "start it: pgstack up (its log is logs/pgbouncer.log in the state dir)", PgBouncerRunning},
    {"pgbouncer.login",
     "a login through PgBouncer reaches the database on the server (seen by the server on its own "
     "port, and by PgBouncer in SHOW CLIENTS)",
     "check PgBouncer's log, its [databases] entry and the userlist: pgstack up rewrites them",
     PgBouncerLogin},
    {"pgbouncer.pool_mode", "PgBouncer pools by transaction, globally and for the database",
     "set pool_mode in config/database.json and run pgstack up", PgBouncerPoolMode},
    {"pgbouncer.config", "SHOW CONFIG matches every configured PgBouncer setting",
     "pgstack up renders pgbouncer.ini from the config and reloads PgBouncer", PgBouncerConfig},
    {"pgbouncer.pools", "SHOW POOLS answers, with the columns pgstack reads",
     "connect to the admin console as an admin_users/stats_users role", PgBouncerPools},
    {"pgbouncer.stats", "SHOW STATS answers, with the columns pgstack reads",
     "connect to the admin console as an admin_users/stats_users role", PgBouncerStats},
    {"pgbouncer.userlist",
     "the userlist holds the role's SCRAM verifier, byte-identical to the server's",
     "pgstack up rewrites the userlist from the server's verifier", PgBouncerUserlist},
    // Security.
    {"security.scram",
     "password_encryption is scram-sha-256 and every role's password is a SCRAM verifier",
     "reset the password of the named roles with password_encryption = scram-sha-256 (pgstack up "
     "does for the application role)",
     SecurityScram},
    {"security.hba_no_trust", "no pg_hba.conf rule uses trust, and the file has no errors",
     "remove the trust line from pg_hba (pgstack up rewrites it), then SELECT pg_reload_conf()",
     SecurityHbaNoTrust},
    {"security.server_log", "no log in the state dir holds the plaintext password",
     "change the password (pgstack up sends only a SCRAM verifier), then remove the log lines",
     SecurityServerLog},
    {"security.userlist_mode", "PgBouncer's userlist is 0600", "chmod 600 the userlist",
     SecurityUserlistMode},
    {"security.credentials_mode", "the generated-password file is 0600",
     "chmod 600 credentials.json", SecurityCredentialsMode},
    {"security.state_dir_mode", "the state directory is 0700", "chmod 700 the state directory",
     SecurityStateDirMode},
    {"security.postgres_listen",
     "PostgreSQL listens on loopback only, unless listen_addresses says otherwise",
     "set listen_addresses in config/database.json, then pgstack up (restarts the server)",
     SecurityPostgresListen},
    {"security.pgbouncer_listen",
     "PgBouncer listens on loopback only, unless pgbouncer.listen_addr says otherwise",
     "set pgbouncer.listen_addr in config/database.json, then pgstack up", SecurityPgBouncerListen},
    // Streaming replicas (pgstack up --replicas N); left out when the stack has none.
    {"replication.streaming",
     "every replica runs and streams from the primary (pg_stat_replication)",
     "pgstack up restarts a stopped replica and rebuilds a broken one (its log is "
     "replicas/<n>/postgresql.log in the state dir)",
     ReplicationStreaming, /*on_request=*/false, ReplicasExpected},
    {"replication.lag",
     "every replica has replayed up to within replication.max_lag_bytes of the primary's WAL",
     "look for load on the machine or a replica stuck replaying (status shows the lag); the bound "
     "is replication.max_lag_bytes in config/database.json",
     ReplicationLag, /*on_request=*/false, ReplicasExpected},
    {"replication.read_only", "every replica refuses a write (it is a hot standby, not a primary)",
     "pgstack up rebuilds a replica that was promoted behind pgstack's back, and the nodes a "
     "pgstack promote fenced (its old primary)",
     ReplicationReadOnly, /*on_request=*/false, ReplicasExpected},
    {"replication.read_pool",
     "every replica that is not fenced answers through PgBouncer's read pool (<database>_ro)",
     "pgstack up puts every running replica in the read pool (a stopped one is left out until it "
     "runs again); PgBouncer's log is logs/pgbouncer.log in the state dir",
     ReplicationReadPool, /*on_request=*/false, ReplicasExpected},
    {"replication.slots",
     "no replication slot on the primary is inactive, retaining WAL for a replica that is gone",
     "pgstack up brings its replica back; drop a slot nobody uses with SELECT "
     "pg_drop_replication_slot('name')",
     ReplicationSlots, /*on_request=*/false, ReplicasExpected},
    // The schema against its migrations.
    {"schema.drift",
     "the live schema is what the applied migrations of --dir build (pgstack migrate drift)",
     "see the differences with pgstack migrate drift; put the hand change into a migration or "
     "undo it",
     SchemaDrift, /*on_request=*/true},
};

std::string_view Group(std::string_view id) { return id.substr(0, id.find('.')); }

}  // namespace

std::string_view StatusName(CheckStatus status) {
  switch (status) {
    case CheckStatus::kPass:
      return "pass";
    case CheckStatus::kFail:
      return "fail";
    case CheckStatus::kSkip:
      return "skip";
  }
  return "?";
}

Outcome Outcome::Pass(std::string detail, std::string expected, std::string actual) {
  return {CheckStatus::kPass, std::move(detail), std::move(expected), std::move(actual), ""};
}
Outcome Outcome::Fail(std::string detail, std::string expected, std::string actual) {
  return {CheckStatus::kFail, std::move(detail), std::move(expected), std::move(actual), ""};
}
Outcome Outcome::Skip(std::string why) { return {CheckStatus::kSkip, std::move(why), "", "", ""}; }

std::span<const CheckSpec> AllChecks() { return kChecks; }

Result<std::vector<const CheckSpec*>> SelectChecks(const std::vector<std::string>& names) {
  std::vector<bool> chosen(std::size(kChecks));
  for (size_t i = 0; i < std::size(kChecks); ++i)
    chosen[i] = names.empty() && !kChecks[i].on_request;
  for (const std::string& name : names) {
    bool matched = false;
    for (size_t i = 0; i < std::size(kChecks); ++i) {
      if (kChecks[i].id == name || Group(kChecks[i].id) == name) {
        chosen[i] = true;
        matched = true;
      }
    }
    if (matched) continue;
    // Ids that contain the unknown name ("version" -> postgres.version) are the likely meaning.
    std::string ids, close;
    for (const CheckSpec& c : kChecks) {
      ids += fmt::format("{}{}", ids.empty() ? "" : ", ", c.id);
      if (c.id.find(name) != std::string_view::npos) {
        close += fmt::format("{}'{}'", close.empty() ? "" : " or ", c.id);
      }
    }
    std::string hint = close.empty() ? "" : fmt::format(" (did you mean {}?)", close);
    return Status::InvalidInput(
        fmt::format("verify: unknown check '{}'{}; checks are: {}", name, hint, ids));
  }
  std::vector<const CheckSpec*> out;
  for (size_t i = 0; i < std::size(kChecks); ++i) {
    if (chosen[i]) out.push_back(&kChecks[i]);
  }
  return out;
}

}  // namespace pgstack::verify
