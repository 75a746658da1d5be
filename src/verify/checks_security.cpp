// Security properties the server reports: SCRAM for every password, no trust rule, and what
// PostgreSQL and PgBouncer actually listen on.
#include <fmt/format.h>

#include <set>

#include "checks.h"
#include "listen_sockets.h"
#include "text.h"

namespace pgstack::verify {
namespace {

constexpr std::string_view kScram = "scram-sha-256";

// Whether a host names this machine (a Unix socket directory, loopback, localhost): only then do
// this machine's socket tables say anything about the server.
// A wildcard listen address is every interface of the machine pgstack runs on, so its sockets
// are this machine's to report (and to fail when the config did not ask for them).
bool OnThisMachine(const std::string& host) {
  return host.empty() || host[0] == '/' || IsLoopback(host) || host == "0.0.0.0" || host == "::" ||
         host == "*";
}

Outcome ListenCheck(std::string_view who, const pg::ConnParams& endpoint,
                    const std::string& configured) {
  if (!OnThisMachine(endpoint.host)) {
    return Outcome::Skip(fmt::format("{} runs on {}, not this machine", who, endpoint.host));
  }
  std::vector<std::string> bound, exposed;
  for (const ListenSocket& s : ListeningSockets()) {
    if (s.port != endpoint.port) continue;
    bound.push_back(s.address);
    if (!ListenAllowed(s.address, configured)) exposed.push_back(s.address);
  }
  if (bound.empty()) {
    return Outcome::Skip(fmt::format("nothing listens on port {}", endpoint.port));
  }
  std::string expected = "loopback" + (configured.empty() ? "" : " or " + configured);
  std::string actual = Join(bound);
  if (!exposed.empty()) {
    return Outcome::Fail(fmt::format("{} listens on {} (port {}), beyond {}", who, Join(exposed),
                                     endpoint.port, expected),
                         expected, actual);
  }
  bool wildcard = false;
  for (const auto& a : bound) wildcard = wildcard || a == "0.0.0.0" || a == "::";
  return Outcome::Pass(fmt::format("port {} on {}{}", endpoint.port, actual,
                                   wildcard ? " (every interface, as configured)" : ""),
                       expected, actual);
}

}  // namespace

Outcome SecurityScram(Probe& probe) {
  auto conn = probe.Catalog();
  if (!conn.ok()) return probe.Unreachable(conn.status());
  auto enc = (*conn)->Exec("SHOW password_encryption");
  if (!enc.ok()) return Outcome::Fail(enc.status().message());
  std::string encryption = enc->scalar();
  if (encryption != kScram) {
    return Outcome::Fail("password_encryption is " + encryption, std::string(kScram), encryption);
  }
  // Stored verifiers are readable by superusers only.
  auto su = probe.Superuser();
  if (!su.ok()) {
    if (probe.local()) return probe.Unreachable(su.status());
    return Outcome::Pass(
        "password_encryption is scram-sha-256 (stored verifiers not checked: "
        "no administrator connection)",
        std::string(kScram), encryption);
  }
  auto r = (*su)->Exec(
      "SELECT rolname, CASE WHEN rolpassword LIKE 'SCRAM-SHA-256$%' THEN 'scram' "
      "WHEN rolpassword LIKE 'md5%' THEN 'md5' ELSE 'not hashed' END AS kind "
      "FROM pg_authid WHERE rolpassword IS NOT NULL ORDER BY rolname");
  if (!r.ok()) return Outcome::Fail(r.status().message());
  std::vector<std::string> weak;
  for (int i = 0; i < r->rows(); ++i) {
    if (r->get(i, "kind") != "scram") {
      weak.push_back(fmt::format("{} ({})", r->get(i, "rolname"), r->get(i, "kind")));
    }
  }
  std::string expected = "every password a SCRAM verifier";
  if (!weak.empty()) {
    return Outcome::Fail("passwords not stored as SCRAM verifiers: " + Join(weak), expected,
                         Join(weak));
  }
  return Outcome::Pass(
      fmt::format("password_encryption {}; {} role password(s), all SCRAM", encryption, r->rows()),
      expected, expected);
}

Outcome SecurityHbaNoTrust(Probe& probe) {
  auto su = probe.Superuser();
  if (!su.ok()) {
    if (probe.local()) return probe.Unreachable(su.status());
    return Outcome::Skip("pg_hba_file_rules needs an administrator connection");
  }
  auto r = (*su)->Exec(
      "SELECT line_number, type, array_to_string(database, ',') AS database, "
      "array_to_string(user_name, ',') AS user_name, coalesce(address, '') AS address, "
      "auth_method, error FROM pg_hba_file_rules ORDER BY rule_number NULLS LAST, line_number");
  if (!r.ok()) return Outcome::Fail(r.status().message());
  std::vector<std::string> trust, errors;
  std::set<std::string> methods;
  for (int i = 0; i < r->rows(); ++i) {
    if (!r->get(i, "error").empty()) {
      errors.push_back(fmt::format("line {}: {}", r->get(i, "line_number"), r->get(i, "error")));
    } else if (r->get(i, "auth_method") == "trust") {
      trust.push_back(fmt::format("line {} ({} {} {} {})", r->get(i, "line_number"),
                                  r->get(i, "type"), r->get(i, "database"), r->get(i, "user_name"),
                                  r->get(i, "address")));
    }
    methods.insert(std::string(r->get(i, "auth_method")));
  }
  std::string actual = Join({methods.begin(), methods.end()});
  if (!trust.empty() || !errors.empty()) {
    std::vector<std::string> problems;
    if (!trust.empty()) problems.push_back("trust rule at " + Join(trust));
    if (!errors.empty()) problems.push_back("errors at " + Join(errors));
    return Outcome::Fail(Join(problems, "; "), "no trust", actual);
  }
  return Outcome::Pass(fmt::format("{} rules, methods {}; no trust", r->rows(), actual), "no trust",
                       actual);
}

Outcome SecurityPostgresListen(Probe& probe) {
  auto ep = probe.endpoints();
  if (!ep.ok()) return probe.Unreachable(ep.status());
  return ListenCheck("PostgreSQL", (*ep)->direct,
                     probe.env().setting("listen_addresses").value_or(""));
}

Outcome SecurityPgBouncerListen(Probe& probe) {
  auto ep = probe.endpoints();
  if (!ep.ok()) return probe.Unreachable(ep.status());
  return ListenCheck("PgBouncer", (*ep)->pooled, probe.env().pgbouncer.listen_addr);
}

}  // namespace pgstack::verify
