#include "pgstack/testdb/service.h"

#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "pgstack/core/wait.h"
#include "pgstack/testdb/catalog.h"
#include "pgstack/testdb/names.h"
#include "pgstack/testdb/outcome.h"

namespace pgstack::testdb {
namespace {

using Clock = std::chrono::steady_clock;

pg::ConnParams AdminParams(const location::Endpoints& ep) {
  pg::ConnParams p = ep.superuser;
  p.application_name = "pgstack testdb";
  return p;
}

int MsSince(Clock::time_point t) {
  return static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count());
}

}  // namespace

Service::Service(const location::Endpoints& ep, Options o)
    : ep_(ep),
      o_(std::move(o)),
      conns_(AdminParams(ep)),
      templates_(conns_, ep.direct.user, o_),
      tests_(conns_, ep.direct.user, o_) {}

Result<std::unique_ptr<Service>> Service::Open(const location::Endpoints& ep, Options o) {
  if (ep.superuser.user.empty() && ep.superuser.host.empty()) {
    return Status::InvalidInput(
        "testdb needs an administrator connection to create databases: set the variable the "
        "environment's admin_url_env names");
  }
  PGSTACK_RETURN_IF_ERROR(Complete(o));
  std::unique_ptr<Service> s(new Service(ep, std::move(o)));
  PGSTACK_ASSIGN_OR_RETURN(ConnPool::Lease c, s->conns_.Acquire());
  PGSTACK_RETURN_IF_ERROR(EnsureCatalog(*c));
  return s;
}

Service::~Service() { Stop(); }

void Service::StartWorkers(std::function<void(const std::string&)> on_event) {
  on_event_ = std::move(on_event);
  for (int i = 0; i < o_.workers; ++i) workers_.emplace_back([this, i] { WorkerLoop(i); });
}

void Service::Stop() {
  interrupted_ = true;
  {
    std::lock_guard lock(work_mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  for (std::thread& t : workers_) t.join();
  workers_.clear();
  std::lock_guard lock(builds_mu_);
  builds_.clear();  // closing each lock connection rolls its build back
}

void Service::Nudge() {
  {
    std::lock_guard lock(work_mu_);
    ++wakeups_;
  }
  work_cv_.notify_all();
}

void Service::WorkerLoop(int index) {
  auto tell = [this](const std::string& what) {
    if (on_event_) on_event_(what);
  };
  // Worker 0 cleans up after dead builders and cloners: at once (a restart after a crash), then
  // every half minute.
  auto next_gc = Clock::now();
  int seen = -1;
  while (true) {
    {
      std::lock_guard lock(work_mu_);
      if (stop_) return;
    }
    bool worked = false, failed = false;
    if (index == 0 && Clock::now() >= next_gc) {
      next_gc = Clock::now() + std::chrono::seconds(30);
      auto g = CollectGarbage(conns_, templates_, tests_, o_, false);
      if (!g.ok()) {
        tell("gc: " + g.status().message());
      } else if (g->dead_builds + g->dead_clones + g->stale_tests + g->orphans + g->evicted) {
        tell(fmt::format("gc: {} dead builds, {} dead clones, {} stale, {} orphans, {} evicted",
                         g->dead_builds, g->dead_clones, g->stale_tests, g->orphans, g->evicted));
      }
    }
    auto r = tests_.FillOne();
    if (r.ok() && !*r) r = tests_.DropDirtyOne();
    if (!r.ok()) {
      failed = true;
      tell("pool: " + r.status().message());
    } else {
      worked = *r;
    }
    if (worked) continue;
    std::unique_lock lock(work_mu_);
    if (seen == wakeups_ || failed) {
      work_cv_.wait_for(lock, std::chrono::milliseconds(failed ? 1000 : 250),
                        [&] { return stop_ || (!failed && wakeups_ != seen); });
    }
    seen = wakeups_;
  }
}

Result<pg::ConnParams> Service::InitializeTemplate(const std::string& hash) {
  PGSTACK_RETURN_IF_ERROR(ValidateHash(hash));
  {
    std::lock_guard lock(builds_mu_);
    if (builds_.count(hash)) return Locked("template " + hash + " is being built already");
  }
  PGSTACK_ASSIGN_OR_RETURN(std::optional<Build> b, templates_.BeginBuild(hash, o_.lock_wait_ms));
  if (!b) return Locked("template " + hash + " is already initialized");
  pg::ConnParams where = ConnFor(b->database());
  std::lock_guard lock(builds_mu_);
  builds_[hash] = std::make_unique<Build>(std::move(*b));
  return where;
}

std::unique_ptr<Build> Service::TakeBuild(const std::string& hash) {
  std::lock_guard lock(builds_mu_);
  auto it = builds_.find(hash);
  if (it == builds_.end()) return nullptr;
  std::unique_ptr<Build> b = std::move(it->second);
  builds_.erase(it);
  return b;
}

Status Service::FinalizeTemplate(const std::string& hash) {
  PGSTACK_RETURN_IF_ERROR(ValidateHash(hash));
  std::unique_ptr<Build> b = TakeBuild(hash);
  if (!b) return templates_.FinishAbandoned(hash);
  Status s = templates_.Finish(*b);
  if (!s.ok()) {
    (void)templates_.Abort(*b, false);
    return s.WithContext("finalizing template " + hash);
  }
  Nudge();
  (void)templates_.EvictOverCap();
  return Status::Ok();
}

Status Service::DiscardTemplate(const std::string& hash) {
  PGSTACK_RETURN_IF_ERROR(ValidateHash(hash));
  std::unique_ptr<Build> b = TakeBuild(hash);
  if (b) return templates_.Abort(*b, true);
  // Waits for clones of it in flight (they hold its row shared), not just for a builder.
  return templates_.Discard(hash, o_.build_wait_ms);
}

Result<TestDatabase> Service::GetTestDatabase(const std::string& hash) {
  PGSTACK_RETURN_IF_ERROR(ValidateHash(hash));
  auto start = Clock::now();
  bool built = false;
  while (true) {
    PGSTACK_ASSIGN_OR_RETURN(TestPool::Claimed c, tests_.Claim(hash));
    if (c.test) {
      Nudge();  // the workers clone a replacement
      return *c.test;
    }
    if (c.template_state.empty()) return NotFound("template " + hash + " not found");
    if (c.template_state == "discarded") return Gone("template " + hash + " was discarded");
    if (interrupted_) return Unavailable("testdb is shutting down");
    if (c.template_state == "building") {
      if (MsSince(start) > o_.build_wait_ms) {
        return Unavailable(
            fmt::format("template {} is still being built after {} ms", hash, o_.build_wait_ms));
      }
      PGSTACK_RETURN_IF_ERROR(core::Pause(std::chrono::milliseconds(50)));
      continue;
    }
    if (!built) {  // the wait for a free database starts once the template is ready
      built = true;
      start = Clock::now();
    }
    // The warm pool is empty: clone one for this caller (the workers refill behind it).
    PGSTACK_ASSIGN_OR_RETURN(std::optional<TestDatabase> t, tests_.Create(hash, true));
    Nudge();
    if (t) return *t;
    if (MsSince(start) > o_.get_wait_ms) {
      return Unavailable(fmt::format(
          "template {}: all {} test databases (the cap, --max-tests) stayed in use for {} ms", hash,
          o_.max_tests, o_.get_wait_ms));
    }
    PGSTACK_RETURN_IF_ERROR(core::Pause(std::chrono::milliseconds(20)));
  }
}

Status Service::UnlockTestDatabase(const std::string& hash, int64_t id) {
  if (!hash.empty()) {
    PGSTACK_ASSIGN_OR_RETURN(TemplateState st, templates_.State(hash));
    if (st == TemplateState::kDiscarded) return Gone("template " + hash + " was discarded");
  }
  PGSTACK_RETURN_IF_ERROR(tests_.Unlock(hash, id));
  Nudge();
  return Status::Ok();
}

Status Service::RecreateTestDatabase(const std::string& hash, int64_t id, bool now) {
  if (!hash.empty()) {
    PGSTACK_ASSIGN_OR_RETURN(TemplateState st, templates_.State(hash));
    if (st == TemplateState::kDiscarded) return Gone("template " + hash + " was discarded");
  }
  PGSTACK_RETURN_IF_ERROR(tests_.MarkDirty(hash, id));
  if (now) return tests_.RecreateOne(id).status();
  Nudge();
  return Status::Ok();
}

Status Service::ResetAll() {
  {
    std::lock_guard lock(builds_mu_);
    for (auto& [hash, b] : builds_) (void)templates_.Abort(*b, true);
    builds_.clear();
  }
  return Gc(true).status();
}

Result<GcReport> Service::Gc(bool all) {
  return CollectGarbage(conns_, templates_, tests_, o_, all);
}

pg::ConnParams Service::ConnFor(const std::string& database) const {
  pg::ConnParams p = o_.pooled ? ep_.pooled : ep_.direct;
  p.dbname = database;
  return p;
}

Status Service::Explain(const Status& s) {
  if (s.ok() || OutcomeOf(s) != Outcome::kInternal || !s.sqlstate().empty()) return s;
  auto probe = conns_.Open();
  return probe.ok() ? s : Unavailable(s.message());
}

}  // namespace pgstack::testdb
