#include "probe.h"

#include <utility>

#include "pgstack/pg/error_class.h"

namespace pgstack::verify {

Probe::Probe(const core::Environment& env, std::string state_dir)
    : env_(env), state_dir_(std::move(state_dir)), paths_(state_dir_) {}

Result<const location::Endpoints*> Probe::endpoints() {
  if (!endpoints_) endpoints_.emplace(location::ResolveEndpoints(env_, state_dir_));
  if (!endpoints_->ok()) return endpoints_->status();
  return &endpoints_->value();
}

Result<pg::Connection> Probe::Connect(Endpoint which) {
  PGSTACK_ASSIGN_OR_RETURN(const location::Endpoints* ep, endpoints());
  pg::ConnParams params;
  switch (which) {
    case Endpoint::kDirect:
      params = ep->direct;
      break;
    case Endpoint::kPooled:
      params = ep->pooled;
      break;
    case Endpoint::kAdmin:
      params = ep->admin;
      break;
    case Endpoint::kSuperuser:
      // External mode without an administrator URL leaves the superuser endpoint unset.
      if (ep->superuser.host.empty()) {
        return Status::Failure("no administrator connection (set " + env_.postgres.admin_url_env +
                               ")");
      }
      params = ep->superuser;
      // Catalog checks (extensions, pg_hba, verifiers) look at the application database.
      params.dbname = env_.postgres.database;
      break;
  }
  params.application_name = "pgstack verify";
  return pg::Connection::Open(params);
}

Result<pg::Connection*> Probe::Cached(Endpoint which) {
  auto it = connections_.find(which);
  if (it == connections_.end()) {
    auto opened = [&]() -> Result<std::unique_ptr<pg::Connection>> {
      PGSTACK_ASSIGN_OR_RETURN(pg::Connection conn, Connect(which));
      return std::make_unique<pg::Connection>(std::move(conn));
    }();
    if (opened.ok()) {
      // Made here, on the thread that owns the connection; CancelRunning only uses it.
      auto cancel = (*opened)->cancel_handle();
      std::lock_guard<std::mutex> lock(cancels_mu_);
      if (cancel.ok()) cancels_.push_back(std::move(cancel).value());
    }
    it = connections_.emplace(which, std::move(opened)).first;
  }
  if (!it->second.ok()) return it->second.status();
  return it->second.value().get();
}

void Probe::CancelRunning() {
  std::lock_guard<std::mutex> lock(cancels_mu_);
  for (const pg::CancelHandle& c : cancels_) (void)c.Cancel();
}

Result<pg::Connection*> Probe::Direct() { return Cached(Endpoint::kDirect); }
Result<pg::Connection*> Probe::Admin() { return Cached(Endpoint::kAdmin); }
Result<pg::Connection*> Probe::Superuser() { return Cached(Endpoint::kSuperuser); }

Result<pg::Connection*> Probe::Catalog() {
  auto su = Superuser();
  if (su.ok()) return su;
  return Direct();
}

const Result<JsonbMeasurement>& Probe::Jsonb() {
  if (!jsonb_) {
    auto conn = Direct();
    jsonb_.emplace(conn.ok() ? MeasureJsonb(**conn, env_.verify.jsonb_rows)
                             : Result<JsonbMeasurement>(conn.status()));
  }
  return *jsonb_;
}

Outcome Probe::Unreachable(const Status& why) const {
  bool refused = pg::Classify(why) == pg::ErrorClass::kInvalidPassword;
  if (!stopped_.empty() && !refused) return Outcome::Skip(stopped_);
  Outcome o = Outcome::Fail(why.message());
  if (refused) {
    // The server answered: it is up, and the message says which password to put right.
    o.fix = local() ? "the role's password is not the one pgstack keeps: `pgstack up` sets it again"
                    : "check the password of environment '" + env_.name + "'";
    return o;
  }
  o.fix = local() ? "the stack is not reachable: `pgstack status` shows what runs, `pgstack up` "
                    "starts it"
                  : "not reachable: check that the server and PgBouncer run, and the connection "
                    "settings of environment '" +
                        env_.name + "'";
  return o;
}

}  // namespace pgstack::verify
