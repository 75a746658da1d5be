#include "pgstack/pg/connection.h"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>

#include "libpq_status.h"
#include "pgstack/pg/error_class.h"

namespace pgstack::pg {
namespace {

std::string FirstLine(std::string_view s) {
  // libpq messages start with "connection to server ... failed: " and end in a newline.
  auto nl = s.find('\n');
  std::string line(s.substr(0, nl));
  return line;
}

}  // namespace

void Connection::Finish::operator()(pg_conn* c) const { PQfinish(c); }

int Connection::server_version() const { return PQserverVersion(conn_.get()); }
int Connection::backend_pid() const { return PQbackendPID(conn_.get()); }
bool Connection::in_transaction() const { return PQtransactionStatus(conn_.get()) != PQTRANS_IDLE; }
bool Connection::broken() const { return PQstatus(conn_.get()) == CONNECTION_BAD; }
std::string Connection::database() const { return PQdb(conn_.get()); }

bool Connection::StillOpen() {
  for (int i = 0; i < 2 && !broken(); ++i) {
    if (PQconsumeInput(conn_.get()) == 0) break;
  }
  return !broken();
}

LibpqParams::LibpqParams(const ConnParams& p) {
  storage = {p.host,
             std::to_string(p.port),
             p.user,
             p.dbname,
             p.password,
             p.application_name,
             std::to_string(p.connect_timeout_s),
             p.sslmode,
             p.gssencmode};
  static const char* const kKeys[] = {
      "host",    "port",      "user", "dbname", "password", "application_name", "connect_timeout",
      "sslmode", "gssencmode"};
  for (size_t i = 0; i < storage.size(); ++i) {
    if (storage[i].empty()) continue;
    keywords.push_back(kKeys[i]);
    values.push_back(storage[i].c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);
}

Status StatusFromConnectFailure(const ConnParams& p, PGconn* conn) {
  std::string msg = conn ? PQerrorMessage(conn) : "out of memory";
  // Drop libpq's "connection to server at ... failed: " preamble; we name the target ourselves.
  if (auto pos = msg.find("failed: "); pos != std::string::npos) msg = msg.substr(pos + 8);
  std::string where = p.host.empty() ? "default socket" : p.host;
  std::string sqlstate(SqlStateOfConnectError(msg));
  if (Classify(sqlstate) == ErrorClass::kInvalidPassword) {
    // Not "cannot connect": the server is up and answered; what it refused is the login.
    std::string line = FirstLine(msg);
    if (line.rfind("FATAL:", 0) == 0)
      line.erase(0, std::min(line.find_first_not_of(' ', 6), line.size()));
    return Status::Postgres(fmt::format("authentication failed for role {} at {}:{} (database {}): "
                                        "{}{}",
                                        p.user, where, p.port, p.dbname, line,
                                        p.auth_hint.empty() ? "" : "; " + p.auth_hint),
                            sqlstate);
  }
  return Status::Postgres(fmt::format("cannot connect to {}:{} as {} (database {}): {}", where,
                                      p.port, p.user, p.dbname, FirstLine(msg)),
                          sqlstate);
}

Status StatusFromResult(const PGresult* res, PGconn* conn) {
  if (!res) return Status::Postgres(FirstLine(PQerrorMessage(conn)), "");
  const char* primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
  const char* detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
  const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
  const char* pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
  std::string msg = primary ? primary : FirstLine(PQresultErrorMessage(res));
  if (msg.empty()) msg = FirstLine(PQerrorMessage(conn));
  if (detail) msg += fmt::format(" ({})", FirstLine(detail));
  return Status::Postgres(msg, state ? state : "", pos ? std::atoi(pos) : 0);
}

Result<Connection> Connection::Open(const ConnParams& params) {
  LibpqParams kv(params);
  PGconn* c = PQconnectdbParams(kv.keywords.data(), kv.values.data(), 0);
  if (!c || PQstatus(c) != CONNECTION_OK) {
    Status s = StatusFromConnectFailure(params, c);
    PQfinish(c);
    return s;
  }
  return Connection(c);
}

Result<QueryResult> Connection::Check(PGresult* res) {
  QueryResult owned(res);
  auto st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) return owned;
  if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) {
    // PQexec stops at a COPY; ending it here (and reading what followed it) keeps the
    // connection idle rather than stuck in COPY mode.
    return DrainResults(conn_.get(), [](PGresult* r) { PQclear(r); });
  }
  return StatusFromResult(res, conn_.get());
}

Result<QueryResult> Connection::Exec(std::string_view sql) {
  std::string s(sql);
  return Check(PQexec(conn_.get(), s.c_str()));
}

Result<QueryResult> Connection::Exec(std::string_view sql, const Params& params) {
  std::string s(sql);
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  return Check(PQexecParams(conn_.get(), s.c_str(), static_cast<int>(values.size()), nullptr,
                            values.data(), nullptr, nullptr, 0));
}

Status Connection::Run(std::string_view sql) { return Exec(sql).status(); }
Status Connection::Run(std::string_view sql, const Params& params) {
  return Exec(sql, params).status();
}

Result<std::string> Connection::ScramVerifier(const std::string& user, const std::string& pw) {
  char* v = PQencryptPasswordConn(conn_.get(), pw.c_str(), user.c_str(), "scram-sha-256");
  if (!v)
    return Status::Failure("cannot compute SCRAM verifier: " +
                           FirstLine(PQerrorMessage(conn_.get())));
  std::string out = v;
  PQfreemem(v);
  return out;
}

std::string Connection::QuoteIdent(std::string_view ident) {
  char* q = PQescapeIdentifier(conn_.get(), ident.data(), ident.size());
  std::string out = q ? q : "";
  PQfreemem(q);
  return out;
}

std::string Connection::QuoteLiteral(std::string_view lit) {
  char* q = PQescapeLiteral(conn_.get(), lit.data(), lit.size());
  std::string out = q ? q : "";
  PQfreemem(q);
  return out;
}

int Connection::local_port() const {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  int fd = PQsocket(conn_.get());
  if (fd < 0 || getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return -1;
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return -1;
}

Result<CancelHandle> Connection::cancel_handle() const {
  PGcancel* c = PQgetCancel(conn_.get());
  if (!c) return Status::Failure("cannot make a cancel handle: the connection is lost");
  return CancelHandle(c);
}

}  // namespace pgstack::pg
