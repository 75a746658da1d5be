// A move-only, always-open connection to PostgreSQL or PgBouncer over libpq. Open() returns a
// working connection or an error; the destructor closes it. Not thread-safe: one thread at a
// time per connection.
//
// Everything pgstack sends works through PgBouncer's transaction pooling: the simple query
// protocol or unnamed parameterised statements, never named prepared statements or session SET.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgstack/pg/conn_params.h"
#include "pgstack/pg/query_result.h"
#include "pgstack/core/status.h"

namespace pgstack::pg {

using Params = std::vector<std::optional<std::string>>;

class Connection {
 public:
  static Result<Connection> Open(const ConnParams& params);

  // Runs one or more statements with the simple protocol; returns the last statement's result.
  Result<QueryResult> Exec(std::string_view sql);
  // Runs one statement with $1.. parameters (text, NULL for nullopt) as an unnamed statement.
  Result<QueryResult> Exec(std::string_view sql, const Params& params);
  // Exec() when only success matters.
  Status Run(std::string_view sql);
  Status Run(std::string_view sql, const Params& params);

  // The SCRAM-SHA-256 verifier for user's password, computed here by libpq: only the verifier
  // ever goes to the server.
  Result<std::string> ScramVerifier(const std::string& user, const std::string& password);
  std::string QuoteIdent(std::string_view ident);
  std::string QuoteLiteral(std::string_view literal);

  int server_version() const { return PQserverVersion(conn_.get()); }
  int backend_pid() const { return PQbackendPID(conn_.get()); }
  bool in_transaction() const { return PQtransactionStatus(conn_.get()) != PQTRANS_IDLE; }
  // Asks the server to cancel the statement running on this connection (thread-safe).
  void Cancel();
  PGconn* raw() const { return conn_.get(); }

 private:
  struct Finish {
    void operator()(PGconn* c) const { PQfinish(c); }
  };
  explicit Connection(PGconn* conn) : conn_(conn) {}
  Result<QueryResult> Check(PGresult* res);
  std::unique_ptr<PGconn, Finish> conn_;
};

// The keyword/value arrays libpq's *Params functions take, built from ConnParams. The pointers
// refer into params and keywords; keep both alive while using them.
struct LibpqParams {
  explicit LibpqParams(const ConnParams& params);
  std::vector<std::string> storage;
  std::vector<const char*> keywords;
  std::vector<const char*> values;
};

// Turns a failed result into a Status with SQLSTATE and position.
Status StatusFromResult(const PGresult* res, PGconn* conn);
// Turns a failed connection attempt into a Status naming where it tried to connect.
Status StatusFromConnectFailure(const ConnParams& params, PGconn* conn);

}  // namespace pgstack::pg
