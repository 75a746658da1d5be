// Whether a server answers at all, without logging in: tells a stopped server from one that is
// starting, shutting down or refusing us (PQpingParams).
#pragma once

#include "pgstack/pg/conn_params.h"

namespace pgstack::pg {

enum class PingResult {
  kAccepting,   // the server accepts connections (a login may still fail)
  kRejecting,   // it answers but rejects connections: starting up or shutting down
  kNoResponse,  // nothing answers there
  kNoAttempt,   // the parameters are invalid; nothing was tried
};

PingResult Ping(const ConnParams& params);

}  // namespace pgstack::pg
