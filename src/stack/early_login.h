// The login check through PgBouncer of a warm `up`, started before the rest of it: the backend
// Provision needs takes 12-16 ms to start, and PgBouncer's SCRAM login (~5 ms) fits in that
// wait on another thread instead of following it.
//
// It is started only where PgBouncer runs on files this `up` would write unchanged, and counts
// only where the `up` then changed nothing (Up checks that): then PgBouncer, the server and the
// role were at the login what they are at the end, and the early login is the check a later one
// would be. Anything else ignores it and logs in again after its changes, as a cold `up` does.
#pragma once

#include <future>
#include <optional>
#include <string>

#include "internal.h"
#include "pgstack/core/status.h"
#include "pgstack/pg/conn_params.h"

namespace pgstack::stack {

class EarlyLogin {
 public:
  // Starts the login (one attempt, then SELECT 1) on its own thread, when PgBouncer's files hold
  // what this `up` would write: `ini` as rendered, and a userlist entry for pooled.user that
  // `verifier_memo` (see verifier_memo.h) vouches for as made from pooled.password. Else, or
  // when no thread can start, nullopt.
  static std::optional<EarlyLogin> StartIfReady(const StatePaths& paths, const std::string& ini,
                                                const std::string& verifier_memo,
                                                const pg::ConnParams& pooled);
  EarlyLogin(EarlyLogin&&) = default;
  EarlyLogin& operator=(EarlyLogin&&) = default;
  ~EarlyLogin();  // waits for the login to end (bounded by its connect timeout)

  // The login's outcome.
  Status Wait();

 private:
  explicit EarlyLogin(std::future<Status> outcome) : outcome_(std::move(outcome)) {}
  std::future<Status> outcome_;
};

}  // namespace pgstack::stack
