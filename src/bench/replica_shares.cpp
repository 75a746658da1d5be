#include "pgstack/bench/replica_shares.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>

#include "pgstack/core/parse_int.h"
#include "pgstack/core/wait.h"

namespace pgstack::bench {
namespace {

// Backends that PgBouncer was told to close exit within its janitor's next rounds.
constexpr auto kExitLimit = std::chrono::seconds(15);

// The other backends of the role in the database, as a PostgreSQL array literal.
Result<std::string> OtherBackends(pg::Connection& c) {
  PGSTACK_ASSIGN_OR_RETURN(
      auto q, c.Exec("SELECT coalesce(array_agg(pid), '{}')::text FROM pg_stat_activity "
                     "WHERE datname = current_database() AND usename = current_user "
                     "AND pid <> pg_backend_pid()"));
  return q.scalar();
}

Status WaitForExit(pg::Connection& c, const std::string& server, const std::string& pids) {
  return core::WaitUntil(
      {.what = fmt::format("the read pool's backends on {} to exit", server),
       .timeout = kExitLimit,
       .backoff = {.first = std::chrono::milliseconds(20)}},
      [&] {
        auto q = c.Exec("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1::int[])", {pids});
        if (!q.ok()) return core::Poll::Fail(q.status());
        return q->scalar() == "0" ? core::Poll::Ready()
                                  : core::Poll::NotYet(q->scalar() + " still open");
      });
}

Result<long long> Count(pg::Connection& c) {
  PGSTACK_ASSIGN_OR_RETURN(auto q, c.Exec("SELECT xact_commit + xact_rollback FROM "
                                          "pg_stat_database WHERE datname = current_database()"));
  return core::ParseInt<long long>(q.scalar(), "pg_stat_database.xact_commit");
}

}  // namespace

Result<ReplicaCounters> ReplicaCounters::Open(const std::vector<pg::ConnParams>& replicas,
                                              const pg::ConnParams& admin, std::string pool_db) {
  std::vector<pg::Connection> conns;
  std::vector<std::string> servers;
  for (const pg::ConnParams& p : replicas) {
    servers.push_back(fmt::format("{}:{}", p.host, p.port));
    auto c = pg::Connection::Open(p);
    if (!c.ok()) return c.status().WithContext("replica " + servers.back());
    conns.push_back(std::move(*c));
  }
  return ReplicaCounters(std::move(conns), std::move(servers), admin, std::move(pool_db));
}

Result<std::vector<uint64_t>> ReplicaCounters::Settled() {
  std::vector<std::string> open;
  for (auto& c : replicas_) {
    PGSTACK_ASSIGN_OR_RETURN(std::string pids, OtherBackends(c));
    open.push_back(std::move(pids));
  }
  {
    PGSTACK_ASSIGN_OR_RETURN(auto console, pg::Connection::Open(admin_));
    PGSTACK_RETURN_IF_ERROR(console.Run("RECONNECT " + pool_db_));
  }
  std::vector<uint64_t> counts;
  for (size_t i = 0; i < replicas_.size(); ++i) {
    PGSTACK_RETURN_IF_ERROR(WaitForExit(replicas_[i], servers_[i], open[i]));
    PGSTACK_ASSIGN_OR_RETURN(long long n, Count(replicas_[i]));
    counts.push_back(static_cast<uint64_t>(n));
  }
  return counts;
}

Status ReplicaCounters::Start() {
  PGSTACK_ASSIGN_OR_RETURN(start_, Settled());
  return Status::Ok();
}

Result<std::vector<ReplicaShare>> ReplicaCounters::Finish() {
  PGSTACK_ASSIGN_OR_RETURN(std::vector<uint64_t> end, Settled());
  std::vector<ReplicaShare> out;
  uint64_t total = 0;
  for (size_t i = 0; i < end.size(); ++i) {
    out.push_back({.server = servers_[i], .transactions = end[i] - start_[i]});
    total += out.back().transactions;
  }
  for (auto& s : out) s.share = total > 0 ? static_cast<double>(s.transactions) / total : 0;
  return out;
}

bool EvenWithin(const std::vector<ReplicaShare>& shares, double tolerance) {
  if (shares.empty()) return false;
  double even = 1.0 / static_cast<double>(shares.size());
  for (const auto& s : shares)
    if (std::abs(s.share - even) > tolerance * even) return false;
  return true;
}

}  // namespace pgstack::bench
