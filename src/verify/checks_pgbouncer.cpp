// PgBouncer, the setup plan's step 3: listening, a login through it that provably went through
// it, transaction pooling, the configured settings, and the admin console's SHOW commands. The
// console's columns differ between releases, so every row is read by column name.
#include <fmt/format.h>

#include <map>

#include "checks.h"
#include "pgstack/core/files.h"
#include "pgstack/core/pgbouncer_files.h"
#include "pgstack/core/process.h"
#include "pgstack/core/scram.h"
#include "pgstack/core/settings.h"
#include "pgstack/pg/error_class.h"
#include "pgstack/pg/ping.h"
#include "text.h"

namespace pgstack::verify {
namespace {

using ConfigMap = std::map<std::string, std::string, std::less<>>;

// PgBouncer answers at once when it can reach the server; waiting longer only means waiting for
// its query_wait_timeout.
constexpr std::chrono::seconds kPooledQueryLimit(5);

Result<ConfigMap> ShowConfig(pg::Connection& admin) {
  PGSTACK_ASSIGN_OR_RETURN(pg::QueryResult r, admin.Exec("SHOW CONFIG"));
  ConfigMap out;
  for (int i = 0; i < r.rows(); ++i) out[std::string(r.get(i, "key"))] = r.get(i, "value");
  return out;
}

// The columns a SHOW command must have for pgstack to read it, and the row of our database.
Outcome ShowAnswers(Probe& probe, std::string_view command,
                    std::initializer_list<std::string_view> columns,
                    std::initializer_list<std::string_view> shown) {
  auto admin = probe.Admin();
  if (!admin.ok()) return probe.Unreachable(admin.status());
  auto r = (*admin)->Exec(command);
  if (!r.ok()) return Outcome::Fail(std::string(command) + ": " + r.status().message());
  std::vector<std::string> missing;
  for (auto c : columns) {
    if (r->column(c) < 0) missing.emplace_back(c);
  }
  std::string expected = Join({columns.begin(), columns.end()});
  if (!missing.empty()) {
    return Outcome::Fail(fmt::format("{} has no column {}", command, Join(missing)), expected,
                         "missing " + Join(missing));
  }
  const std::string& db = probe.env().postgres.database;
  for (int i = 0; i < r->rows(); ++i) {
    if (r->get(i, "database") != db) continue;
    std::vector<std::string> values;
    for (auto c : shown) values.push_back(fmt::format("{} {}", c, r->get(i, c)));
    return Outcome::Pass(fmt::format("{}: {}", db, Join(values)), expected, expected);
  }
  return Outcome::Pass(fmt::format("{} answers ({} rows, none for {} yet)", command, r->rows(), db),
                       expected, expected);
}

}  // namespace

Outcome PgBouncerRunning(Probe& probe) {
  auto ep = probe.endpoints();
  if (!ep.ok()) return probe.Unreachable(ep.status());
  const pg::ConnParams& p = (*ep)->pooled;
  std::string where = fmt::format("{}:{}", p.host, p.port);
  if (pg::Ping(p) != pg::PingResult::kAccepting) {
    Outcome o = Outcome::Fail("PgBouncer is not running: nothing answers on " + where, "accepting",
                              "no response");
    if (!probe.local()) {
      o.fix =
          "start PgBouncer (systemctl start pgbouncer), or correct pgbouncer.listen_addr and "
          "port in config/database.json";
    }
    return o;
  }
  pid_t pid = probe.local() ? core::ReadPidFile(probe.paths().pgbouncer_pid) : 0;
  return Outcome::Pass(fmt::format("accepting connections on {}{}", where,
                                   pid == 0 ? "" : " (pid " + std::to_string(pid) + ")"),
                       "accepting", "accepting");
}

Outcome PgBouncerLogin(Probe& probe) {
  const location::Endpoints* ep = nullptr;
  if (auto e = probe.endpoints(); e.ok()) {
    ep = *e;
  } else {
    return probe.Unreachable(e.status());
  }
  // A server restart leaves PgBouncer holding dead server connections: the client that draws
  // one loses its connection and PgBouncer drops that server connection. One more try then
  // shows the stack as it is now.
  std::optional<pg::Connection> pooled;
  Result<pg::QueryResult> r = Status::Failure("not run");
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto conn = probe.Connect(Probe::Endpoint::kPooled);
    if (!conn.ok()) return probe.Unreachable(conn.status());
    pooled.emplace(std::move(*conn));
    r = pooled->ExecWithin("SELECT current_database(), current_user, inet_server_port()",
                           kPooledQueryLimit);
    // No answer in time is the finding, not a dead server connection to try past.
    if (r.ok() || !pooled->broken() || pg::Classify(r.status()) == pg::ErrorClass::kQueryCanceled) {
      break;
    }
  }
  if (!r.ok()) {
    std::string why = r.status().message();
    if (pg::Ping(ep->direct) == pg::PingResult::kNoResponse) {
      why += "; PostgreSQL is not running";
    }
    return Outcome::Fail("a query through PgBouncer failed: " + why);
  }
  std::string db(r->get(0, "current_database"));
  std::string server_port(r->get(0, "inet_server_port"));
  // We dialled PgBouncer's port; the server saw the connection arrive on its own port, so
  // something in between relayed it. (A PgBouncer that reaches the server over its Unix socket
  // leaves the port NULL: then SHOW CLIENTS below is the proof.)
  std::string expected = fmt::format("{} on the server's port {} via PgBouncer's port {}",
                                     ep->direct.dbname, ep->direct.port, ep->pooled.port);
  std::string actual =
      fmt::format("{} on the server's port {} via PgBouncer's port {}", db,
                  server_port.empty() ? "(Unix socket)" : server_port, ep->pooled.port);
  bool relayed = server_port.empty() || (server_port == std::to_string(ep->direct.port) &&
                                         ep->pooled.port != ep->direct.port);
  if (db != ep->direct.dbname || !relayed) {
    return Outcome::Fail("the pooled login did not reach the server through PgBouncer: " + actual,
                         expected, actual);
  }
  // And PgBouncer lists our connection among its clients.
  auto admin = probe.Admin();
  if (!admin.ok()) return probe.Unreachable(admin.status());
  auto clients = (*admin)->Exec("SHOW CLIENTS");
  if (!clients.ok()) return Outcome::Fail("SHOW CLIENTS: " + clients.status().message());
  // Our end's port: the one PgBouncer's SHOW CLIENTS lists as `port`.
  std::string port = std::to_string(pooled->local_port());
  bool listed = false;
  for (int i = 0; i < clients->rows(); ++i) {
    listed = listed || (clients->get(i, "port") == port && clients->get(i, "database") == db);
  }
  if (!listed) {
    return Outcome::Fail("SHOW CLIENTS does not list our connection from port " + port, expected,
                         actual);
  }
  return Outcome::Pass(fmt::format("{}; SHOW CLIENTS lists us (port {})", actual, port), expected,
                       actual);
}

Outcome PgBouncerPoolMode(Probe& probe) {
  auto admin = probe.Admin();
  if (!admin.ok()) return probe.Unreachable(admin.status());
  auto config = ShowConfig(**admin);
  if (!config.ok()) return Outcome::Fail("SHOW CONFIG: " + config.status().message());
  auto dbs = (*admin)->Exec("SHOW DATABASES");
  if (!dbs.ok()) return Outcome::Fail("SHOW DATABASES: " + dbs.status().message());
  const std::string& db = probe.env().postgres.database;
  std::string global = (*config)["pool_mode"];
  std::string for_db = global;  // a database without its own pool_mode uses the global one
  for (int i = 0; i < dbs->rows(); ++i) {
    if (dbs->get(i, "name") == db && !dbs->get(i, "pool_mode").empty()) {
      for_db = dbs->get(i, "pool_mode");
    }
  }
  // The config's pool_mode, else the settings table's (transaction): set either way.
  std::string expected = probe.env().setting("pool_mode").value_or("");
  std::string actual = fmt::format("{} (global), {} ({})", global, for_db, db);
  if (global != expected || for_db != expected) {
    return Outcome::Fail("pool_mode is " + actual, expected, actual);
  }
  return Outcome::Pass("pool_mode " + actual, expected, actual);
}

Outcome PgBouncerConfig(Probe& probe) {
  auto admin = probe.Admin();
  if (!admin.ok()) return probe.Unreachable(admin.status());
  auto config = ShowConfig(**admin);
  if (!config.ok()) return Outcome::Fail("SHOW CONFIG: " + config.status().message());
  const core::Environment& env = probe.env();
  // Every configured setting, plus what pgstack decides itself: where it listens and SCRAM.
  core::SettingList wanted = env.pgbouncer.settings;
  wanted.emplace_back("listen_addr", env.pgbouncer.listen_addr);
  wanted.emplace_back("listen_port", std::to_string((*probe.endpoints())->pooled.port));
  wanted.emplace_back("auth_type", "scram-sha-256");
  std::vector<std::string> expected, actual, wrong;
  for (const auto& [name, value] : wanted) {
    auto it = config->find(name);
    std::string shown = it == config->end() ? "(not shown)" : it->second;
    expected.push_back(name + "=" + value);
    actual.push_back(name + "=" + shown);
    const core::SettingSpec* spec = core::FindSetting(core::Target::kPgBouncer, name);
    bool same = spec ? core::SameSettingValue(*spec, value, shown) : value == shown;
    if (!same) wrong.push_back(fmt::format("{} is {}, expected {}", name, shown, value));
  }
  if (!wrong.empty()) return Outcome::Fail(Join(wrong, "; "), Join(expected), Join(actual));
  return Outcome::Pass(fmt::format("{} settings as configured", wanted.size()), Join(expected),
                       Join(actual));
}

Outcome PgBouncerPools(Probe& probe) {
  return ShowAnswers(probe, "SHOW POOLS",
                     {"database", "user", "cl_active", "cl_waiting", "sv_active", "sv_idle",
                      "sv_used", "maxwait", "pool_mode"},
                     {"cl_active", "cl_waiting", "sv_active", "sv_idle"});
}

Outcome PgBouncerStats(Probe& probe) {
  return ShowAnswers(probe, "SHOW STATS",
                     {"database", "total_xact_count", "total_query_count", "total_wait_time",
                      "avg_xact_time", "avg_query_time"},
                     {"total_xact_count", "total_query_count", "avg_query_time"});
}

Outcome PgBouncerUserlist(Probe& probe) {
  if (!probe.local()) return Outcome::Skip("external mode: the userlist is not in the state dir");
  auto text = core::ReadFileIfExists(probe.paths().userlist);
  if (!text.ok()) return Outcome::Fail(text.status().message());
  if (!*text) return Outcome::Fail("cannot read " + probe.paths().userlist + ": it does not exist");
  const std::string& user = probe.env().postgres.user;
  std::optional<std::string> secret = core::UserlistSecret(**text, user);
  if (!secret) return Outcome::Fail(fmt::format("the userlist has no entry for {}", user));
  if (!core::IsScramVerifier(*secret)) {
    return Outcome::Fail(fmt::format("the userlist entry for {} is not a SCRAM verifier", user),
                         "SCRAM-SHA-256$...", "something else");
  }
  auto su = probe.Superuser();
  if (!su.ok()) return probe.Unreachable(su.status());
  auto r = (*su)->Exec("SELECT rolpassword FROM pg_authid WHERE rolname = $1", {user});
  if (!r.ok()) return Outcome::Fail(r.status().message());
  // Verifiers are not secrets the way passwords are, but there is no need to print them either.
  if (r->rows() != 1 || r->get(0, "rolpassword") != *secret) {
    return Outcome::Fail(
        fmt::format("the userlist's verifier for {} differs from the server's", user), "identical",
        "different");
  }
  return Outcome::Pass(fmt::format("{}: SCRAM verifier identical to the server's", user),
                       "identical", "identical");
}

}  // namespace pgstack::verify
