// libpq's failures as Status values; for src/pg only.
#pragma once

#include <libpq-fe.h>

#include <functional>

#include "pgstack/core/status.h"
#include "pgstack/pg/conn_params.h"

namespace pgstack::pg {

// Turns a failed result into a Status with SQLSTATE and position; a null result into the
// connection's last error.
Status StatusFromResult(const PGresult* res, PGconn* conn);
// Turns a failed connection attempt into a Status naming where it tried to connect.
Status StatusFromConnectFailure(const ConnParams& params, PGconn* conn);

// Reads every result of the query sent last, handing the successful ones to `keep` (which owns
// them) and returning the first error. A COPY to or from the client (one that did not go
// through Connection::CopyIn) is ended at once and counts as an error, so the connection is
// idle afterwards.
Status DrainResults(PGconn* conn, const std::function<void(PGresult*)>& keep);

}  // namespace pgstack::pg
