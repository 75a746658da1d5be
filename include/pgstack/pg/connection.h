// A move-only, always-open connection to PostgreSQL or PgBouncer over libpq. Open() returns a
// working connection or an error; the destructor closes it. Not thread-safe: one thread at a
// time per connection.
//
// Everything pgstack sends works through PgBouncer's transaction pooling: the simple query
// protocol or unnamed parameterised statements, never named prepared statements or session SET.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgstack/core/status.h"
#include "pgstack/pg/cancel_handle.h"
#include "pgstack/pg/conn_params.h"
#include "pgstack/pg/query_result.h"

struct pg_conn;    // libpq's PGconn
struct pg_result;  // libpq's PGresult

namespace pgstack::pg {

using Params = std::vector<std::optional<std::string>>;

// Every statement's result of a script, in order, up to the first that failed.
struct ScriptResult {
  std::vector<QueryResult> results;  // one per statement that completed
  Status error;                      // the statement that failed; the server ran none after it
};

// A NOTICE or WARNING the server sent while a statement ran.
struct Notice {
  std::string severity;  // "NOTICE", "WARNING", ...
  std::string sqlstate;
  std::string message;  // the primary message
};
// Called on the thread running the statement; must not throw.
using NoticeHandler = std::function<void(const Notice&)>;

class Connection {
 public:
  static Result<Connection> Open(const ConnParams& params);

  // Runs one or more statements with the simple protocol; returns the last statement's result.
  // A COPY from or to the client fails here and is ended (COPY FROM STDIN: CopyIn).
  Result<QueryResult> Exec(std::string_view sql);
  // Runs one statement with $1.. parameters (text, NULL for nullopt) as an unnamed statement.
  Result<QueryResult> Exec(std::string_view sql, const Params& params);
  // Exec() when only success matters.
  Status Run(std::string_view sql);
  Status Run(std::string_view sql, const Params& params);

  // Runs a script the way psql does, keeping each statement's result: the whole text goes as
  // one simple-protocol query, so the server (not a client-side splitter) decides where
  // statements end, dollar quotes and all. Outside BEGIN/COMMIT the statements share one
  // implicit transaction; a transaction the script opened stays open after an error.
  ScriptResult ExecScript(std::string_view sql);

  // Exec() that waits at most `limit` for the answer. Then it cancels the statement and fails
  // ("no answer within ...", classified kQueryCanceled); the connection is idle and usable again
  // when the server acknowledged the cancel within a short grace, and otherwise closed
  // (broken(): every later call fails at once instead of waiting for the abandoned statement).
  Result<QueryResult> ExecWithin(std::string_view sql, std::chrono::milliseconds limit);

  // Runs one COPY ... FROM STDIN statement with `data` as its input (in the statement's format)
  // and returns the COPY's result (affected(): the rows copied). Any other statement fails.
  Result<QueryResult> CopyIn(std::string_view copy_sql, std::string_view data);

  // Where notices go. By default libpq writes them to stderr; nullptr drops them.
  void SetNoticeHandler(NoticeHandler handler);

  // The SCRAM-SHA-256 verifier for user's password, computed here by libpq: only the verifier
  // ever goes to the server.
  Result<std::string> ScramVerifier(const std::string& user, const std::string& password);
  std::string QuoteIdent(std::string_view ident);
  std::string QuoteLiteral(std::string_view literal);

  int server_version() const;
  int backend_pid() const;
  bool in_transaction() const;
  // True once the connection is lost (the server went away, or ExecWithin gave it up).
  bool broken() const;
  // For an idle connection kept in a pool: reads what the server sent meanwhile without
  // blocking, so that one the server ended (a restart, a terminated backend) shows as closed.
  // Two reads: the first takes the server's FATAL message, the second sees the closed socket
  // (libpq's socket never blocks, so neither waits).
  bool StillOpen();
  // The database this connection is in.
  std::string database() const;
  // The local TCP port of this end of the connection (what the server or PgBouncer sees as the
  // client's port); -1 over a Unix socket or when it cannot be read.
  int local_port() const;

  // A handle that cancels what this connection runs, for another thread or a signal handler.
  Result<CancelHandle> cancel_handle() const;

 private:
  struct Finish {
    void operator()(pg_conn* c) const;
  };
  explicit Connection(pg_conn* conn) : conn_(conn) {}
  Result<QueryResult> Check(pg_result* res);
  // Waits until the result of a sent query is ready; false when `deadline` passed first.
  Result<bool> AwaitResult(std::chrono::steady_clock::time_point deadline);
  // The results of the query sent last; the first error result wins over them.
  Result<QueryResult> CollectResults();

  // Heap-held so that the address libpq's notice receiver holds survives moves; declared before
  // conn_ so that it outlives it.
  std::unique_ptr<NoticeHandler> notice_handler_;
  std::unique_ptr<pg_conn, Finish> conn_;
};

// The keyword/value arrays libpq's *Params functions take, built from ConnParams. The pointers
// refer into params and keywords; keep both alive while using them.
struct LibpqParams {
  explicit LibpqParams(const ConnParams& params);
  std::vector<std::string> storage;
  std::vector<const char*> keywords;
  std::vector<const char*> values;
};

}  // namespace pgstack::pg
