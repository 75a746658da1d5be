// The template registry: one template database per hash, in state building, ready or
// discarded. Exactly one builder per hash, across processes and machines: the builder holds the
// hash's catalog row locked from the start of its build to the end (catalog.h). Others wait for
// the lock with a bound; if the builder dies, its lock goes with it and the next one starts
// over from nothing (only a finished build is ever marked ready).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pgstack/core/status.h"
#include "pgstack/pg/connection.h"
#include "pgstack/pg/transaction.h"
#include "pgstack/testdb/conn_pool.h"
#include "pgstack/testdb/options.h"

namespace pgstack::testdb {

enum class TemplateState { kBuilding, kReady, kDiscarded };

struct TemplateInfo {
  std::string hash;
  std::string database;
  std::string state;  // building, ready, discarded
  std::string last_used;
  int tests = 0;   // test databases in any state
  int ready = 0;   // of those, ready to hand out
  int in_use = 0;  // handed out
};

// A template this process is building: an empty database owned by its builder role (below), with
// the environment's extensions. It holds the hash's row lock until Finish or Abort.
class Build {
 public:
  const std::string& hash() const { return hash_; }
  const std::string& database() const { return database_; }
  // The builder's password: of the template's own login role, named as the database, which
  // reaches only this database and logs in no more once the template is sealed. Empty: the
  // application role builds (--pooled: PgBouncer admits only the roles of its userlist).
  const std::string& password() const { return password_; }

 private:
  friend class Templates;
  Build(std::string hash, std::string database, std::string password,
        std::unique_ptr<pg::Connection> lock, pg::Transaction locked)
      : hash_(std::move(hash)),
        database_(std::move(database)),
        password_(std::move(password)),
        lock_(std::move(lock)),
        locked_(std::move(locked)) {}
  std::string hash_;
  std::string database_;
  std::string password_;
  // Heap-held: locked_ refers to it, and a Build moves. Declared first, so that it outlives
  // locked_.
  std::unique_ptr<pg::Connection> lock_;
  pg::Transaction locked_;  // on lock_, holding the row
};

class Templates {
 public:
  Templates(ConnPool& conns, std::string owner, const Options& o)
      : conns_(conns), owner_(std::move(owner)), o_(o) {}

  // Starts building hash, waiting up to wait_ms for another builder of it. nullopt when the
  // template is ready already (built by someone else meanwhile, or long ago); Locked when
  // another builder kept the lock past the wait.
  Result<std::optional<Build>> BeginBuild(const std::string& hash, int wait_ms);
  // Seals the template (no connections, IS_TEMPLATE) and marks it ready.
  Status Finish(Build& b);
  // Drops what the build made; the row goes (a retry builds afresh) or, with discard, stays
  // as "discarded" so that its test databases are answered with Gone.
  Status Abort(Build& b, bool discard);
  // Finishes a build whose builder ended without finishing but whose database is complete:
  // a client that built it through a server that restarted meanwhile. OK when ready already.
  Status FinishAbandoned(const std::string& hash);
  // NotFound when hash has no template.
  Result<TemplateState> State(const std::string& hash);
  // Drops the template and its test databases and marks it discarded. NotFound, Gone when it
  // is discarded already, Locked when a builder holds it.
  Status Discard(const std::string& hash, int wait_ms);
  // Discards the least recently used ready templates beyond max_templates.
  Result<int> EvictOverCap();
  Result<std::vector<TemplateInfo>> List();

  // Records, in b's build, where its template comes from: origin (a migrations directory) and
  // source (the flags it was built with, JSON that only its writer reads).
  Status SetSource(Build& b, const std::string& origin, const std::string& source);
  struct Sourced {
    std::string hash;
    std::string source;
  };
  // The most recently used ready template from origin; nullopt when there is none.
  Result<std::optional<Sourced>> LatestFrom(const std::string& origin);

 private:
  // Makes the empty template database and its builder role; the builder's password.
  Result<std::string> Prepare(const std::string& hash, const std::string& database);
  ConnPool& conns_;
  const std::string owner_;
  const Options& o_;
};

}  // namespace pgstack::testdb
