#include "pgstack/migrate/lease.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <random>

#include "pgstack/migrate/history.h"

namespace pgstack::migrate {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view kTake = R"sql(
WITH free AS (
  SELECT id FROM pgstack.migration_lock
   WHERE id = 1 AND (holder IS NULL OR expires_at < clock_timestamp())
   FOR UPDATE SKIP LOCKED)
UPDATE pgstack.migration_lock l
   SET holder = $1, acquired_at = clock_timestamp(),
       expires_at = clock_timestamp() + $2::int * interval '1 millisecond'
  FROM free WHERE l.id = free.id
RETURNING l.id)sql";

constexpr std::string_view kWho =
    "SELECT coalesce(holder, '(nobody)'), coalesce(round(extract(epoch FROM expires_at - "
    "clock_timestamp()) * 1000)::bigint, 0) FROM pgstack.migration_lock WHERE id = 1";

constexpr std::string_view kRenew =
    "UPDATE pgstack.migration_lock SET expires_at = clock_timestamp() + $2::int * interval '1 "
    "millisecond' WHERE id = 1 AND holder = $1";

constexpr std::string_view kRelease =
    "UPDATE pgstack.migration_lock SET holder = NULL, acquired_at = NULL, expires_at = NULL "
    "WHERE id = 1 AND holder = $1";

std::string NewHolderId() {
  std::random_device rd;
  return fmt::format("{} pid {} #{:08x}", RunnerIdentity(), getpid(), rd());
}

}  // namespace

Lease::Lease(pg::Connection& conn, pg::ConnParams params, std::string holder, int lease_ms)
    : conn_(conn), params_(std::move(params)), holder_(std::move(holder)), lease_ms_(lease_ms) {}

Result<std::unique_ptr<Lease>> Lease::Acquire(pg::Connection& conn, const pg::ConnParams& params,
                                              const LeaseOptions& opts) {
  std::string holder = NewHolderId();
  std::string lease = std::to_string(opts.lease_ms);
  auto start = Clock::now();
  auto deadline = start + std::chrono::milliseconds(opts.wait_ms);
  std::mt19937 rng(std::random_device{}());
  int pause_ms = 20;
  auto last_report = start - std::chrono::seconds(10);
  while (true) {
    PGSTACK_ASSIGN_OR_RETURN(auto r, conn.Exec(kTake, {holder, lease}));
    if (r.rows() == 1) break;
    auto now = Clock::now();
    if (now >= deadline || (opts.on_wait && now - last_report >= std::chrono::seconds(2))) {
      PGSTACK_ASSIGN_OR_RETURN(auto who, conn.Exec(kWho));
      std::string h = who.rows() ? std::string(who.get(0, 0)) : "?";
      if (now >= deadline) {
        return Status::LockTimeout(fmt::format(
            "another runner ({}) still holds the migration lock after {} ms (--lock-timeout); "
            "its lease ends in {} ms unless it renews it",
            h, opts.wait_ms, who.rows() ? who.get(0, 1) : "?"));
      }
      opts.on_wait(h);
      last_report = now;
    }
    int jittered = pause_ms / 2 + static_cast<int>(rng() % static_cast<unsigned>(pause_ms));
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::min<long long>(jittered, std::max<long long>(left, 1))));
    pause_ms = std::min(pause_ms * 3 / 2, 500);
  }
  std::unique_ptr<Lease> l(new Lease(conn, params, holder, opts.lease_ms));
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
      auto r = hb->Exec(kRenew, {holder_, std::to_string(lease_ms_)});
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
  // First end any transaction of ours: the heartbeat may be waiting on its row lock.
  if (conn_.in_transaction()) (void)conn_.Run("ROLLBACK");
  {
    std::lock_guard<std::mutex> g(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (heartbeat_.joinable()) heartbeat_.join();
  if (released_) return Status::Ok();
  released_ = true;
  return conn_.Run(kRelease, {holder_}).WithContext("releasing the migration lock");
}

Lease::~Lease() { (void)Release(); }

}  // namespace pgstack::migrate
