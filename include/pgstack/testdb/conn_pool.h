// A few idle connections to one endpoint, shared by threads: testdb's requests each take one for
// a few milliseconds, and opening a connection per request would cost more than the request.
// A connection comes back only when it is healthy and outside a transaction. Its commits do
// not wait for the WAL flush (synchronous_commit off, see conn_pool.cpp).
#pragma once

#include <mutex>
#include <optional>
#include <vector>

#include "pgstack/core/status.h"
#include "pgstack/pg/conn_params.h"
#include "pgstack/pg/connection.h"

namespace pgstack::testdb {

class ConnPool {
 public:
  class Lease {
   public:
    Lease(Lease&& o) noexcept : pool_(o.pool_), conn_(std::move(o.conn_)) { o.pool_ = nullptr; }
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    pg::Connection& operator*() { return *conn_; }
    pg::Connection* operator->() { return &*conn_; }

   private:
    friend class ConnPool;
    Lease(ConnPool* pool, pg::Connection conn) : pool_(pool), conn_(std::move(conn)) {}
    ConnPool* pool_;
    std::optional<pg::Connection> conn_;
  };

  explicit ConnPool(pg::ConnParams params, size_t max_idle = 16)
      : params_(std::move(params)), max_idle_(max_idle) {}
  ConnPool(const ConnPool&) = delete;
  ConnPool& operator=(const ConnPool&) = delete;

  // An idle connection, or a new one. A failure to connect comes back as Unavailable (503).
  Result<Lease> Acquire();
  // A connection of its own (not pooled), for a transaction held across calls.
  Result<pg::Connection> Open() const;
  const pg::ConnParams& params() const { return params_; }

 private:
  void Give(pg::Connection conn);
  const pg::ConnParams params_;
  const size_t max_idle_;
  std::mutex mu_;
  std::vector<pg::Connection> idle_;
};

}  // namespace pgstack::testdb
