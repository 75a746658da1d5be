#include "pgstack/testdb/service.h"

#include <fmt/format.h>

#include <chrono>
#include <optional>
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
  p.application_name = kServiceApplicationName;
  return p;
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
  pg::ConnParams where = ConnFor(*b);
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
  std::optional<TestDatabase> got;
  bool ready = false;  // the template is (got a claim because it was) ready
  Status failed;       // what ended a wait early, as opposed to its running out of time
  // One look: a database from the warm pool, or why there is none.
  auto claim = [&]() -> core::Poll {
    auto c = tests_.Claim(hash);
    if (!c.ok()) return core::Poll::Fail(failed = c.status());
    if (c->test) {
      got = std::move(c->test);
      return core::Poll::Ready();
    }
    if (c->template_state.empty())
      return core::Poll::Fail(failed = NotFound("template " + hash + " not found"));
    if (c->template_state == "discarded") {
      return core::Poll::Fail(failed = Gone("template " + hash + " was discarded"));
    }
    if (interrupted_) return core::Poll::Fail(failed = Unavailable("testdb is shutting down"));
    ready = c->template_state == "ready";
    return core::Poll::NotYet("it is being built");
  };
  // A wait that ran out is Unavailable (503); one that a look ended says why.
  auto settle = [&](const Status& s) -> Status {
    if (s.ok() || !failed.ok()) return s;
    return Unavailable(s.message());
  };
  Status built = core::WaitUntil({.what = "template " + hash + " to be built",
                                  .timeout = std::chrono::milliseconds(o_.build_wait_ms),
                                  .backoff = {.first = std::chrono::milliseconds(50)}},
                                 [&] {
                                   core::Poll p = claim();
                                   return ready ? core::Poll::Ready() : p;
                                 });
  PGSTACK_RETURN_IF_ERROR(settle(built));
  if (got) {
    Nudge();  // the workers clone a replacement
    return *got;
  }
  // The template is ready and its warm pool empty: clone one for this caller (the workers refill
  // behind it), or wait for a database to come back when the template has max_tests already.
  Status free = core::WaitUntil(
      {.what = fmt::format("a free test database of template {}", hash),
       .timeout = std::chrono::milliseconds(o_.get_wait_ms),
       .backoff = {.first = std::chrono::milliseconds(20)}},
      [&] {
        core::Poll p = claim();
        if (got || !p.failure().ok()) return p;
        auto t = tests_.Create(hash, true);
        Nudge();
        if (!t.ok()) return core::Poll::Fail(failed = t.status());
        if (*t) {
          got = std::move(*t);
          return core::Poll::Ready();
        }
        return core::Poll::NotYet(
            fmt::format("all {} test databases of the template (the cap, --max-tests) are in use",
                        o_.max_tests));
      });
  PGSTACK_RETURN_IF_ERROR(settle(free));
  Nudge();
  return *got;
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

pg::ConnParams Service::Where(const std::string& database, const std::string& password) const {
  pg::ConnParams p = o_.pooled ? ep_.pooled : ep_.direct;
  p.dbname = database;
  if (!password.empty()) {  // the database's own role, named as it
    p.user = database;
    p.password = password;
  }
  return p;
}

pg::ConnParams Service::ConnFor(const TestDatabase& t) const {
  return Where(t.database, t.password);
}

pg::ConnParams Service::ConnFor(const Build& b) const { return Where(b.database(), b.password()); }

Status Service::Explain(const Status& s) {
  if (s.ok() || OutcomeOf(s) != Outcome::kInternal || !s.sqlstate().empty()) return s;
  auto probe = conns_.Open();
  return probe.ok() ? s : Unavailable(s.message());
}

}  // namespace pgstack::testdb
