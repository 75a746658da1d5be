// testdb as one object: the catalog connections, the template registry, the warm pools and the
// background workers that keep them full, behind the operations of IntegreSQL's API (which the
// HTTP server and the CLI both call). Nothing here starts a process or prints; what happens in
// the background is told to on_event.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pgstack/core/status.h"
#include "pgstack/location/endpoints.h"
#include "pgstack/testdb/conn_pool.h"
#include "pgstack/testdb/gc.h"
#include "pgstack/testdb/options.h"
#include "pgstack/testdb/templates.h"
#include "pgstack/testdb/test_pool.h"

namespace pgstack::testdb {

// The application_name of a service's own sessions (the catalog's and the DDL's).
inline constexpr const char* kServiceApplicationName = "pgstack testdb";

class Service {
 public:
  // Connects as the administrator (ep.superuser, for CREATE DATABASE and CREATE ROLE) and
  // creates the catalog when missing. Each database is owned by, and handed out as, a login
  // role of its own (test_pool.h, templates.h) at ep.direct; with o.pooled, by the application
  // role at ep.pooled.
  static Result<std::unique_ptr<Service>> Open(const location::Endpoints& ep, Options o);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Background workers: recreate returned databases, keep every ready template's pool full,
  // clean up after dead builders now and then. Stopped by Stop() or the destructor.
  void StartWorkers(std::function<void(const std::string&)> on_event);
  // Stops the workers (each finishes the database it is working on) and gives up the builds
  // this service holds (their rows stay "building", unlocked: the next builder starts over).
  void Stop();
  // Makes requests that wait (GetTestDatabase) give up at once: the server is draining.
  void Interrupt() { interrupted_ = true; }

  // POST /templates: starts building hash's template, held by this service until Finalize or
  // Discard. Where the client connects to build it. Locked when it is built or being built.
  Result<pg::ConnParams> InitializeTemplate(const std::string& hash);
  // PUT /templates/:hash. OK when ready already.
  Status FinalizeTemplate(const std::string& hash);
  // DELETE /templates/:hash.
  Status DiscardTemplate(const std::string& hash);
  // GET /templates/:hash/tests: a clean clone, handed out. Waits for a template being built
  // (build_wait_ms) and for a free database at the cap (get_wait_ms), then Unavailable.
  Result<TestDatabase> GetTestDatabase(const std::string& hash);
  // POST .../unlock (and the deprecated DELETE .../tests/:id). hash "" for any template.
  Status UnlockTestDatabase(const std::string& hash, int64_t id);
  // POST .../recreate: by the workers (or here and now with now, for the CLI).
  Status RecreateTestDatabase(const std::string& hash, int64_t id, bool now);
  // DELETE /api/v1/admin/templates: every template and test database goes.
  Status ResetAll();

  Result<GcReport> Gc(bool all);
  Result<std::vector<TemplateInfo>> List() { return templates_.List(); }

  // Where a test connects to its database: as the database's own role, or as the application
  // role when it has none (--pooled).
  pg::ConnParams ConnFor(const TestDatabase& t) const;
  // Where the builder of a template connects, likewise.
  pg::ConnParams ConnFor(const Build& b) const;
  // An error's meaning for a caller: a failure that carries no SQLSTATE becomes Unavailable
  // when the server cannot be reached now (it was the cause).
  Status Explain(const Status& s);

  Templates& templates() { return templates_; }
  const Options& options() const { return o_; }

 private:
  // The build of `hash` this server runs, removed from builds_; null when it runs none.
  std::unique_ptr<Build> TakeBuild(const std::string& hash);
  Service(const location::Endpoints& ep, Options o);
  void WorkerLoop(int index);
  pg::ConnParams Where(const std::string& database, const std::string& password) const;
  void Nudge();

  const location::Endpoints ep_;
  const Options o_;
  ConnPool conns_;
  Templates templates_;
  TestPool tests_;

  std::mutex builds_mu_;
  std::map<std::string, std::unique_ptr<Build>> builds_;

  std::function<void(const std::string&)> on_event_;
  std::mutex work_mu_;
  std::condition_variable work_cv_;
  bool stop_ = false;
  std::atomic<bool> interrupted_{false};
  int wakeups_ = 0;
  std::vector<std::thread> workers_;
};

}  // namespace pgstack::testdb
