#include "pgstack/migrate/lease.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <random>

#include "pgstack/core/wait.h"
#include "pgstack/migrate/history.h"

namespace pgstack::migrate {
namespace {

using Clock = std::chrono::steady_clock;

// Takes the lease when it is free or expired; either way, says who holds it (as it was before
// this statement) and in how many ms that lease ends, for the reports while waiting. {lease},
// {column} and {key}: the history's lease table, its key column and the condition picking its
// row (history_name.h). The UPDATE joins `free`, so it never touches (and waits on) a row that a
// holder's migration transaction has locked in hold_lease.
constexpr std::string_view kTake = R"sql(
WITH free AS (
  SELECT {column} FROM {lease}
   WHERE {key} AND (holder IS NULL OR expires_at < clock_timestamp())
   FOR UPDATE SKIP LOCKED),
taken AS (
  UPDATE {lease} l
     SET holder = $1, acquired_at = clock_timestamp(),
         expires_at = clock_timestamp() + $2::int * interval '1 millisecond'
    FROM free WHERE l.{column} = free.{column}
  RETURNING 1)
SELECT EXISTS (SELECT FROM taken), coalesce(holder, '(nobody)'),
       coalesce(round(extract(epoch FROM expires_at - clock_timestamp()) * 1000)::bigint, 0)
  FROM {lease} WHERE {key})sql";

// A holder id is unique: it names its row in whichever table.
constexpr std::string_view kRenew =
    "UPDATE {} SET expires_at = clock_timestamp() + $2::int * interval '1 millisecond' WHERE "
    "holder = $1";

constexpr std::string_view kRelease =
    "UPDATE {} SET holder = NULL, acquired_at = NULL, expires_at = NULL WHERE holder = $1";

std::string NewHolderId() {
  std::random_device rd;
  return fmt::format("{} pid {} #{:08x}", RunnerIdentity(), getpid(), rd());
}

}  // namespace

Lease::Lease(pg::Connection& conn, pg::ConnParams params, const std::string& lease_table,
             std::string holder, int lease_ms)
    : conn_(conn),
      params_(std::move(params)),
      renew_(fmt::format(kRenew, lease_table)),
      release_(fmt::format(kRelease, lease_table)),
      holder_(std::move(holder)),
      lease_ms_(lease_ms) {}

Result<std::unique_ptr<Lease>> Lease::Acquire(pg::Connection& conn, const pg::ConnParams& params,
                                              const HistoryTable& history,
                                              const LeaseOptions& opts) {
  std::string holder = NewHolderId();
  std::string lease = std::to_string(opts.lease_ms);
  const std::string take =
      fmt::format(kTake, fmt::arg("lease", history.lease_table),
                  fmt::arg("column", history.lease_column), fmt::arg("key", history.lease_key));
  auto start = Clock::now();
  PGSTACK_RETURN_IF_ERROR(core::WaitUntil(
      {.what = "the migration lock (--lock-timeout)",
       .timeout = std::chrono::milliseconds(opts.wait_ms),
       .backoff = {.first = std::chrono::milliseconds(20),
                   .growth = 1.5,
                   .max = std::chrono::milliseconds(500),
                   .jitter = true},
       .code = Code::kLockTimeout,
       .on_wait = opts.on_wait},
      [&] {
        auto r = conn.Exec(take, {holder, lease});
        if (!r.ok()) return core::Poll::Fail(r.status());
        if (r->rows() == 1 && r->get(0, 0) == "t") return core::Poll::Ready();
        return core::Poll::NotYet(fmt::format(
            "another runner ({}) holds it; its lease ends in {} unless it renews it (a runner "
            "that died keeps it until then)",
            r->rows() ? r->get(0, 1) : "?",
            r->rows() ? core::FormatWaitDuration(std::chrono::milliseconds(
                            std::atoll(std::string(r->get(0, 2)).c_str())))
                      : "?"));
      }));
  std::unique_ptr<Lease> l(new Lease(conn, params, history.lease_table, holder, opts.lease_ms));
  l->waited_ms_ = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
  l->heartbeat_ = std::thread([p = l.get()] { p->Heartbeat(); });
  return l;
}

void Lease::Heartbeat() {
  // Renews three times per lease period, so one slow renewal does not lose the lease.
  std::optional<pg::Connection> hb;
  const auto every = std::chrono::milliseconds(std::max(lease_ms_ / 3, 50));
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, every, [this] { return stop_; })) {
    lock.unlock();
    if (!hb) {
      auto c = pg::Connection::Open(params_);
      if (c.ok()) hb.emplace(std::move(c).value());
    }
    if (hb) {
      auto r = hb->Exec(renew_, {holder_, std::to_string(lease_ms_)});
      if (!r.ok()) {
        hb.reset();  // reconnect next time; the lease survives a missed beat or two
      } else if (r->affected() == 0) {
        lost_ = true;
      }
    }
    lock.lock();
  }
}

Status Lease::Release() {
  // First end any transaction of ours: the heartbeat may be waiting on its row lock. One that
  // is open here was begun by a batch's text that failed (executor.h), not by a pg::Transaction.
  if (conn_.in_transaction()) (void)conn_.Run("ROLLBACK");
  {
    std::lock_guard<std::mutex> g(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (heartbeat_.joinable()) heartbeat_.join();
  if (released_) return Status::Ok();
  released_ = true;
  return conn_.Run(release_, {holder_}).WithContext("releasing the migration lock");
}

Lease::~Lease() { (void)Release(); }

}  // namespace pgstack::migrate
