// PostgreSQL: running, reachable by the application role, version 17, the configured settings,
// the database, the right to create tables, and the extensions.
#include <fmt/format.h>

#include <map>

#include "checks.h"
#include "pgstack/core/postgres_major.h"
#include "pgstack/core/settings.h"
#include "pgstack/pg/error_class.h"
#include "pgstack/pg/ping.h"
#include "text.h"
#include "transaction.h"

namespace pgstack::verify {
namespace {

std::string Where(const pg::ConnParams& p) { return fmt::format("{}:{}", p.host, p.port); }

}  // namespace

Outcome PostgresRunning(Probe& probe) {
  auto ep = probe.endpoints();
  if (!ep.ok()) return probe.Unreachable(ep.status());
  const pg::ConnParams& p = (*ep)->direct;
  // A ping needs no login: it tells a stopped server from one that refuses us.
  switch (pg::Ping(p)) {
    case pg::PingResult::kAccepting:
      return Outcome::Pass("accepting connections on " + Where(p), "accepting", "accepting");
    case pg::PingResult::kRejecting:
      return Outcome::Fail(Where(p) +
                               " answers but rejects connections (starting up or "
                               "shutting down)",
                           "accepting", "rejecting");
    case pg::PingResult::kNoResponse:
      return Outcome::Fail("PostgreSQL is not running: nothing answers on " + Where(p), "accepting",
                           "no response");
    case pg::PingResult::kNoAttempt:
      break;
  }
  return Outcome::Fail("invalid connection parameters for " + Where(p));
}

Outcome PostgresLogin(Probe& probe) {
  auto conn = probe.Direct();
  if (!conn.ok()) return probe.Unreachable(conn.status());
  // system_user is "<auth method>:<identity>": the server's word on how we authenticated.
  auto r = (*conn)->Exec("SELECT current_user, current_database(), system_user");
  if (!r.ok()) return Outcome::Fail(r.status().message());
  const pg::ConnParams& p = (*probe.endpoints())->direct;
  std::string method(r->get(0, "system_user"));
  method = method.substr(0, method.find(':'));
  if (method.empty()) method = "no authentication (trust)";
  std::string expected = fmt::format("{} on {} via scram-sha-256", p.user, p.dbname);
  std::string actual = fmt::format("{} on {} via {}", r->get(0, "current_user"),
                                   r->get(0, "current_database"), method);
  if (actual != expected) {
    return Outcome::Fail(fmt::format("logged in as {}", actual), expected, actual);
  }
  return Outcome::Pass(fmt::format("{} at {}", actual, Where(p)), expected, actual);
}

Outcome PostgresVersion(Probe& probe) {
  auto conn = probe.Catalog();
  if (!conn.ok()) return probe.Unreachable(conn.status());
  auto r = (*conn)->Exec("SHOW server_version");
  if (!r.ok()) return Outcome::Fail(r.status().message());
  std::string version = r->scalar();
  int major = (*conn)->server_version() / 10000;
  std::string expected = fmt::format("{}.x", core::kPostgresMajor);
  if (major != core::kPostgresMajor) {
    return Outcome::Fail("PostgreSQL " + version + ", not " + expected, expected, version);
  }
  return Outcome::Pass("PostgreSQL " + version, expected, version);
}

Outcome PostgresSettings(Probe& probe) {
  auto conn = probe.Catalog();
  if (!conn.ok()) return probe.Unreachable(conn.status());
  const core::SettingList& wanted = probe.env().postgres.settings;
  std::vector<std::string> names;
  for (const auto& [name, value] : wanted) names.push_back(name);
  // sourcefile is visible to superusers only; it names who overrides a setting.
  auto r = (*conn)->Exec(
      "SELECT name, current_setting(name) AS actual, pending_restart, "
      "coalesce(sourcefile || ':' || sourceline, source) AS origin "
      "FROM pg_settings WHERE name = ANY($1::text[])",
      {TextArray(names)});
  if (!r.ok()) return Outcome::Fail(r.status().message());
  struct Row {
    std::string actual, origin;
    bool pending;
  };
  std::map<std::string, Row, std::less<>> rows;
  for (int i = 0; i < r->rows(); ++i) {
    rows[std::string(r->get(i, "name"))] = {std::string(r->get(i, "actual")),
                                            std::string(r->get(i, "origin")),
                                            r->get(i, "pending_restart") == "t"};
  }
  // What a restart would bring, for settings that wait for one (superusers only; best effort).
  std::map<std::string, std::string, std::less<>> on_restart;
  if (auto f = (*conn)->Exec("SELECT DISTINCT ON (name) name, setting FROM pg_file_settings "
                             "ORDER BY name, seqno DESC");
      f.ok()) {
    for (int i = 0; i < f->rows(); ++i) on_restart[std::string(f->get(i, "name"))] = f->get(i, 1);
  }

  std::vector<std::string> expected, actual, problems;
  for (const auto& [name, value] : wanted) {
    expected.push_back(name + "=" + value);
    auto it = rows.find(name);
    if (it == rows.end()) {
      actual.push_back(name + "=?");
      problems.push_back(name + " is unknown to the server");
      continue;
    }
    const Row& row = it->second;
    actual.push_back(name + "=" + row.actual);
    const core::SettingSpec* spec = core::FindSetting(core::Target::kPostgres, name);
    if (spec && !core::SameSettingValue(*spec, value, row.actual)) {
      problems.push_back(
          fmt::format("{} is {} (from {}), expected {}", name, row.actual, row.origin, value));
    }
    if (row.pending) {
      auto next = on_restart.find(name);
      problems.push_back(fmt::format("{} waits for a restart{}", name,
                                     next == on_restart.end() ? "" : " to become " + next->second));
    }
  }
  if (!problems.empty()) return Outcome::Fail(Join(problems, "; "), Join(expected), Join(actual));
  return Outcome::Pass(
      fmt::format("{} settings in effect, none waiting for a restart", wanted.size()),
      Join(expected), Join(actual));
}

// The rows "durability" decides (the settings table's kByDurability), as the server has them.
Outcome PostgresDurability(Probe& probe) {
  auto conn = probe.Catalog();
  if (!conn.ok()) return probe.Unreachable(conn.status());
  std::vector<std::string> names;
  for (const core::SettingSpec* spec :
       core::SettingsOfKind(core::SettingDefault::Kind::kDurability))
    names.emplace_back(spec->name);
  auto r = (*conn)->Exec(
      "SELECT n, current_setting(n) AS value FROM unnest($1::text[]) WITH ORDINALITY "
      "AS u(n, i) ORDER BY i",
      {"{" + Join(names, ",") + "}"});
  if (!r.ok()) return Outcome::Fail(r.status().message());
  bool durable = probe.env().durable;
  std::vector<std::string> expected, actual, wrong;
  for (int i = 0; i < r->rows(); ++i) {
    std::string name(r->get(i, "n")), value(r->get(i, "value"));
    expected.push_back(fmt::format("{}={}", name, durable ? "on" : "off"));
    actual.push_back(fmt::format("{}={}", name, value));
    // synchronous_commit has levels (local, remote_write, ...): all but off wait for the disk.
    if ((value != "off") != durable) wrong.push_back(actual.back());
  }
  if (!wrong.empty()) {
    return Outcome::Fail(fmt::format("durability is {} in {}, but the server has {}",
                                     durable ? "on" : "off", probe.env().name, Join(wrong, ", ")),
                         Join(expected), Join(actual));
  }
  std::string detail =
      durable ? fmt::format("durable: {} on, commits wait for the disk", Join(names))
              : fmt::format("test mode (durability off): {} off; a crash may lose this cluster",
                            Join(names));
  return Outcome::Pass(detail, Join(expected), Join(actual));
}

Outcome PostgresDatabase(Probe& probe) {
  auto conn = probe.Catalog();
  if (!conn.ok()) return probe.Unreachable(conn.status());
  const core::PostgresConfig& cfg = probe.env().postgres;
  auto r = (*conn)->Exec(
      "SELECT (SELECT rolcanlogin::text FROM pg_roles WHERE rolname = $2) AS can_login, "
      "(SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1) AS owner",
      {cfg.database, cfg.user});
  if (!r.ok()) return Outcome::Fail(r.status().message());
  std::string expected =
      fmt::format("database {} owned by {}, who can log in", cfg.database, cfg.user);
  auto can_login = r->get_opt(0, r->column("can_login"));
  auto owner = r->get_opt(0, r->column("owner"));
  std::vector<std::string> problems;
  if (!can_login) problems.push_back("role " + cfg.user + " does not exist");
  if (can_login && *can_login != "true") problems.push_back("role " + cfg.user + " cannot log in");
  if (!owner) problems.push_back("database " + cfg.database + " does not exist");
  if (owner && *owner != cfg.user) {
    problems.push_back(fmt::format("database {} is owned by {}", cfg.database, *owner));
  }
  std::string actual =
      fmt::format("database {} owned by {}, role {}", cfg.database, owner.value_or("(none)"),
                  !can_login             ? "missing"
                  : *can_login == "true" ? "can log in"
                                         : "cannot log in");
  if (!problems.empty()) return Outcome::Fail(Join(problems, "; "), expected, actual);
  return Outcome::Pass(expected, expected, actual);
}

Outcome PostgresCreateTable(Probe& probe) {
  auto conn = probe.Direct();
  if (!conn.ok()) return probe.Unreachable(conn.status());
  Status st = InRolledBackTransaction(**conn, [&] {
    return (*conn)->Run(
        "CREATE TABLE public.pgstack_verify_probe (id bigint PRIMARY KEY, doc jsonb)");
  });
  const std::string& user = probe.env().postgres.user;
  if (!st.ok()) {
    Outcome o =
        Outcome::Fail(fmt::format("{} cannot create a table in public: {}", user, st.message()));
    // The table's fix (a grant) is for a refusal; a server that cannot write needs something else.
    if (pg::Classify(st) == pg::ErrorClass::kDiskFull)
      o.fix = "the server's disk is full (ENOSPC): free space where its data directory is";
    else if (pg::Classify(st) != pg::ErrorClass::kInsufficientPrivilege)
      o.fix = "not a missing privilege: the detail and the server log say what failed";
    return o;
  }
  return Outcome::Pass(fmt::format("{} created a table in public (rolled back)", user));
}

Outcome PostgresExtensions(Probe& probe) {
  auto conn = probe.Catalog();
  if (!conn.ok()) return probe.Unreachable(conn.status());
  const std::vector<std::string>& wanted = probe.env().postgres.extensions;
  auto r =
      (*conn)->Exec("SELECT extname, extversion FROM pg_extension WHERE extname = ANY($1::text[])",
                    {TextArray(wanted)});
  if (!r.ok()) return Outcome::Fail(r.status().message());
  std::map<std::string, std::string, std::less<>> installed;
  for (int i = 0; i < r->rows(); ++i) {
    installed[std::string(r->get(i, "extname"))] = r->get(i, "extversion");
  }
  std::vector<std::string> found, missing;
  for (const std::string& name : wanted) {
    auto it = installed.find(name);
    if (it == installed.end()) {
      missing.push_back(name);
    } else {
      found.push_back(name + " " + it->second);
    }
  }
  std::string db = probe.env().postgres.database;
  if (!missing.empty()) {
    return Outcome::Fail(fmt::format("missing in {}: {}", db, Join(missing)), Join(wanted),
                         Join(found));
  }
  return Outcome::Pass(fmt::format("{} in {}", Join(found), db), Join(wanted), Join(found));
}

}  // namespace pgstack::verify
