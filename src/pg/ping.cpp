#include "pgstack/pg/ping.h"

#include <libpq-fe.h>

#include "pgstack/pg/connection.h"

namespace pgstack::pg {

PingResult Ping(const ConnParams& params) {
  LibpqParams kv(params);
  switch (PQpingParams(kv.keywords.data(), kv.values.data(), 0)) {
    case PQPING_OK:
      return PingResult::kAccepting;
    case PQPING_REJECT:
      return PingResult::kRejecting;
    case PQPING_NO_RESPONSE:
      return PingResult::kNoResponse;
    case PQPING_NO_ATTEMPT:
      break;
  }
  return PingResult::kNoAttempt;
}

}  // namespace pgstack::pg
