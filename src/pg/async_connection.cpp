#include "pgstack/pg/async_connection.h"

#include <libpq-fe.h>

#include <cstring>

#include "pgstack/pg/error_class.h"

namespace pgstack::pg {

void AsyncConnection::Finish::operator()(pg_conn* c) const { PQfinish(c); }

AsyncConnection AsyncConnection::Start(const LibpqParams& params) {
  AsyncConnection out;
  PGconn* c = PQconnectStartParams(params.keywords.data(), params.values.data(), 0);
  if (c && PQstatus(c) == CONNECTION_BAD) {
    PQfinish(c);
    c = nullptr;
  }
  out.conn_.reset(c);
  return out;
}

int AsyncConnection::socket() const { return conn_ ? PQsocket(conn_.get()) : -1; }

AsyncConnection::Progress AsyncConnection::PollConnect() {
  switch (PQconnectPoll(conn_.get())) {
    case PGRES_POLLING_READING:
      return Progress::kReading;
    case PGRES_POLLING_WRITING:
      return Progress::kWriting;
    case PGRES_POLLING_OK:
      return PQsetnonblocking(conn_.get(), 1) == 0 ? Progress::kReady : Progress::kFailed;
    default:
      return Progress::kFailed;
  }
}

std::string_view AsyncConnection::ConnectSqlState() const {
  return conn_ ? SqlStateOfConnectError(PQerrorMessage(conn_.get())) : std::string_view();
}

bool AsyncConnection::Send(const char* sql) { return PQsendQuery(conn_.get(), sql) == 1; }

AsyncConnection::Flushed AsyncConnection::Flush() {
  int f = PQflush(conn_.get());
  return f == 0 ? Flushed::kAll : f == 1 ? Flushed::kMore : Flushed::kFailed;
}

bool AsyncConnection::Read() { return PQconsumeInput(conn_.get()) == 1; }

std::optional<AsyncConnection::Outcome> AsyncConnection::Next(bool& done) {
  done = false;
  if (PQisBusy(conn_.get())) return std::nullopt;
  PGresult* r = PQgetResult(conn_.get());
  if (!r) {
    done = true;
    return std::nullopt;
  }
  Outcome out;
  if (PQresultStatus(r) == PGRES_FATAL_ERROR) {
    out.failed = true;
    const char* sqlstate = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (sqlstate) std::strncpy(out.sqlstate.data(), sqlstate, out.sqlstate.size() - 1);
  }
  PQclear(r);
  return out;
}

bool AsyncConnection::lost() const { return !conn_ || PQstatus(conn_.get()) == CONNECTION_BAD; }

bool AsyncConnection::in_failed_transaction() const {
  return PQtransactionStatus(conn_.get()) == PQTRANS_INERROR;
}

void AsyncConnection::Cancel() {
  PGcancel* cancel = PQgetCancel(conn_.get());
  if (!cancel) return;
  char err[256];
  (void)PQcancel(cancel, err, sizeof err);
  PQfreeCancel(cancel);
}

}  // namespace pgstack::pg
