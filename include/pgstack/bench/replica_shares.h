// Which replica served how many transactions of a `bench pool --read-only` point, from each
// replica's own pg_stat_database counters (xact_commit + xact_rollback of the database) before
// and after it. A backend adds its counts to those now and then (at most once a second while
// busy, ten seconds after it went idle) and when it exits: so before each reading PgBouncer is
// told to close the read pool's server connections (RECONNECT), and the reading waits until the
// backends that were open then are gone.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pgstack/core/status.h"
#include "pgstack/pg/conn_params.h"
#include "pgstack/pg/connection.h"

namespace pgstack::bench {

struct ReplicaShare {
  std::string server;  // host:port
  uint64_t transactions = 0;
  double share = 0;  // of all the replicas' transactions, 0..1
};

class ReplicaCounters {
 public:
  // One connection to each replica (as the application role) and one to PgBouncer's console
  // (`admin`), for the read pool `pool_db`.
  static Result<ReplicaCounters> Open(const std::vector<pg::ConnParams>& replicas,
                                      const pg::ConnParams& admin, std::string pool_db);

  // Remembers each replica's count now.
  Status Start();
  // Each replica's transactions since Start(), and its share of them all.
  Result<std::vector<ReplicaShare>> Finish();

 private:
  ReplicaCounters(std::vector<pg::Connection> replicas, std::vector<std::string> servers,
                  pg::ConnParams admin, std::string pool_db)
      : replicas_(std::move(replicas)),
        servers_(std::move(servers)),
        admin_(std::move(admin)),
        pool_db_(std::move(pool_db)) {}
  // Every replica's count once the read pool's server connections open now have exited.
  Result<std::vector<uint64_t>> Settled();

  std::vector<pg::Connection> replicas_;
  std::vector<std::string> servers_;
  pg::ConnParams admin_;
  std::string pool_db_;
  std::vector<uint64_t> start_;
};

// How far from an even share a replica's may be and still count as even: 25% of it.
inline constexpr double kEvenTolerance = 0.25;

// Whether every replica served within `tolerance` (0.25: 25%) of an even share.
bool EvenWithin(const std::vector<ReplicaShare>& shares, double tolerance);

}  // namespace pgstack::bench
