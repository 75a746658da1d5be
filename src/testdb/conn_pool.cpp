#include "pgstack/testdb/conn_pool.h"

#include "pgstack/pg/error_class.h"
#include "pgstack/testdb/outcome.h"

namespace pgstack::testdb {

ConnPool::Lease::~Lease() {
  if (pool_ && conn_) pool_->Give(std::move(*conn_));
}

Result<ConnPool::Lease> ConnPool::Acquire() {
  {
    std::lock_guard lock(mu_);
    while (!idle_.empty()) {
      pg::Connection c = std::move(idle_.back());
      idle_.pop_back();
      // One the server ended while it sat here (a restart) is dropped, not handed out.
      if (c.StillOpen()) return Lease(this, std::move(c));
    }
  }
  PGSTACK_ASSIGN_OR_RETURN(pg::Connection c, Open());
  return Lease(this, std::move(c));
}

Result<pg::Connection> ConnPool::Open() const {
  auto c = pg::Connection::Open(params_);
  if (c.ok()) {
    // The catalog is bookkeeping of databases that a server crash ends the tests of anyway;
    // waiting for a WAL flush on each of its commits cost 10-40 ms per request here (two
    // commits per GET on a busy disk). The administrator connection goes to the server
    // itself, never through PgBouncer, so a session setting is safe.
    Status s = c->Run("SET synchronous_commit = off");
    if (!s.ok()) return s;
    return c;
  }
  pg::ErrorClass k = pg::Classify(c.status());
  if (k == pg::ErrorClass::kInvalidPassword || k == pg::ErrorClass::kUndefinedObject) {
    return c.status();
  }
  return Unavailable(c.status().message());
}

void ConnPool::Give(pg::Connection conn) {
  // A broken connection, or one a failed caller left inside a transaction, is closed instead.
  if (conn.broken() || conn.in_transaction()) return;
  std::lock_guard lock(mu_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(conn));
}

}  // namespace pgstack::testdb
