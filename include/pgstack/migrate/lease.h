// The lock that lets one runner at a time apply migrations of one history: a lease on that
// history's row (history_name.h), taken with a committed UPDATE (FOR UPDATE SKIP LOCKED, so taking
// it never waits on anyone) and kept alive by a heartbeat on a connection of its own.
//
// Why a lease and not an advisory lock: a session advisory lock is lost or stranded behind
// PgBouncer's transaction pooling, and any lock held by an open transaction deadlocks with
// CREATE INDEX CONCURRENTLY, which waits for every transaction that holds a snapshot. The lease
// is committed up front, so the runner holds no transaction while a concurrent build waits. A
// runner killed with SIGKILL stops its heartbeat; its lease expires after lease_ms at most and
// the next runner takes it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "pgstack/core/status.h"
#include "pgstack/migrate/history_name.h"
#include "pgstack/pg/connection.h"

namespace pgstack::migrate {

struct LeaseOptions {
  int wait_ms = 60000;   // give up (kLockTimeout) when another runner holds it this long
  int lease_ms = 10000;  // how long the lease outlives a silent holder
  // Called after the first look that found the lease taken, then every 2 s while waiting: whose
  // lease it is and when it ends ("another runner (...) holds it; its lease ends in 9500 ms").
  std::function<void(const std::string& why)> on_wait;
};

class Lease {
 public:
  // Polls (with growing, jittered pauses) until the lease of `history` is ours or wait_ms
  // passes. `conn` is the runner's connection; `params` opens the heartbeat's own. Runners of
  // other histories neither wait for this lease nor make it wait.
  static Result<std::unique_ptr<Lease>> Acquire(pg::Connection& conn, const pg::ConnParams& params,
                                                const HistoryTable& history,
                                                const LeaseOptions& opts);
  // Stops the heartbeat; releases the lease when Release() was not called (best effort).
  ~Lease();
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  // Gives the lease up with an ordinary (synchronous) commit, which also makes every earlier
  // commit of this session durable.
  Status Release();

  const std::string& holder() const { return holder_; }
  int lease_ms() const { return lease_ms_; }
  // True once the heartbeat found the lease taken by someone else.
  bool lost() const { return lost_.load(); }
  // How long Acquire waited.
  int waited_ms() const { return waited_ms_; }

 private:
  Lease(pg::Connection& conn, pg::ConnParams params, const std::string& lease_table,
        std::string holder, int lease_ms);
  void Heartbeat();

  pg::Connection& conn_;
  pg::ConnParams params_;
  std::string renew_, release_;  // the SQL that renews and releases it, in its lease table
  std::string holder_;
  int lease_ms_;
  int waited_ms_ = 0;
  bool released_ = false;
  std::atomic<bool> lost_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread heartbeat_;
};

}  // namespace pgstack::migrate
