// What the checks look at: the environment, the state directory's files, and connections to the
// stack, each opened at most once per verify run and shared by the checks that need it. A
// connection that cannot be opened is remembered with its reason, so that every check needing
// it fails with the same reason at no extra cost, and checks that do not need it still run.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "jsonb_measure.h"
#include "pgstack/core/config.h"
#include "pgstack/core/status.h"
#include "pgstack/location/endpoints.h"
#include "pgstack/location/state_paths.h"
#include "pgstack/pg/connection.h"
#include "pgstack/verify/check.h"

namespace pgstack::verify {

class Probe {
 public:
  enum class Endpoint { kDirect, kPooled, kAdmin, kSuperuser };

  Probe(const core::Environment& env, std::string state_dir);

  const core::Environment& env() const { return env_; }
  bool local() const { return env_.mode == core::Mode::kLocal; }
  const location::StatePaths& paths() const { return paths_; }
  const std::string& state_dir() const { return state_dir_; }
  // The migrations directory schema.drift compares the live schema with ("": the project's).
  const std::string& migrations_dir() const { return migrations_dir_; }
  void set_migrations_dir(std::string dir) { migrations_dir_ = std::move(dir); }
  // Why the stack cannot be reached, when the caller knows it is stopped: Unreachable skips.
  void set_stopped(std::string why) { stopped_ = std::move(why); }

  // Where the stack is (ResolveEndpoints), or why that is unknown.
  Result<const location::Endpoints*> endpoints();

  // The application role, straight to PostgreSQL.
  Result<pg::Connection*> Direct();
  // PgBouncer's admin console.
  Result<pg::Connection*> Admin();
  // A superuser (local: peer on the socket; external: the administrator URL, when given), in
  // the application database. Fails when there is none.
  Result<pg::Connection*> Superuser();
  // Superuser() when there is one, else Direct(): for catalog reads that any role may do.
  Result<pg::Connection*> Catalog();
  // A new connection of its own, for a check that may have to drop it and try again.
  Result<pg::Connection> Connect(Endpoint which);

  // Cancels what the shared connections (Direct, Admin, Superuser) run now, so that an
  // interrupt (core/interrupt.h) stops a check that waits on the server. Thread-safe: it is
  // meant for the interrupt thread.
  void CancelRunning();

  // The JSONB measurement, made once for the checks that report on it.
  const Result<JsonbMeasurement>& Jsonb();

  // The outcome of a check that could not look because `why` (a connection, the endpoints)
  // failed: a failure with that reason and a fix that points at the stack, not at the check; a
  // skip, with the stopped reason, on a stack known to be stopped (a refused password still
  // fails: the server answered).
  Outcome Unreachable(const Status& why) const;

 private:
  Result<pg::Connection*> Cached(Endpoint which);

  const core::Environment& env_;
  std::string state_dir_;
  location::StatePaths paths_;
  std::string migrations_dir_;
  std::string stopped_;
  std::optional<Result<location::Endpoints>> endpoints_;
  std::map<Endpoint, Result<std::unique_ptr<pg::Connection>>> connections_;
  std::mutex cancels_mu_;
  std::vector<pg::CancelHandle> cancels_;  // one per shared connection, made as it opens
  std::optional<Result<JsonbMeasurement>> jsonb_;
};

}  // namespace pgstack::verify
