#include "pgstack/testdb/templates.h"

#include <fmt/format.h>

#include <chrono>

#include "pgstack/core/os.h"
#include "pgstack/pg/error_class.h"
#include "pgstack/testdb/database_ddl.h"
#include "pgstack/testdb/names.h"
#include "pgstack/testdb/outcome.h"
#include "pgstack/testdb/test_pool.h"

namespace pgstack::testdb {
namespace {

Status LockedIfTimeout(const Status& s, const std::string& hash, int wait_ms) {
  if (pg::Classify(s) != pg::ErrorClass::kLockNotAvailable) return s;
  return Locked(
      fmt::format("template {} is being built by another builder (waited {} ms)", hash, wait_ms));
}

// Commits hash's row as "building", so that gc and other processes see the build; a discarded
// template becomes "building" again.
Status Register(pg::Connection& c, const std::string& hash, const std::string& db, int wait_ms) {
  PGSTACK_ASSIGN_OR_RETURN(
      pg::Transaction tx,
      pg::Transaction::Begin(c, {.lock_timeout = std::chrono::milliseconds(wait_ms)}));
  Status s = c.Run(
      "INSERT INTO pgstack_testdb.templates (hash, database, state) VALUES ($1, $2, "
      "'building') ON CONFLICT (hash) DO UPDATE SET state = 'building', created_at = now() "
      "WHERE templates.state = 'discarded'",
      {hash, db});
  if (s.ok()) s = tx.Commit();
  return LockedIfTimeout(s, hash, wait_ms);
}

// hash's row locked FOR UPDATE by tx, a transaction on the connection given, and its state ("" when
// there is no row).
struct LockedRow {
  pg::Transaction tx;
  std::string state;
};

Result<LockedRow> LockRow(pg::Connection& c, const std::string& hash, int wait_ms) {
  PGSTACK_ASSIGN_OR_RETURN(
      pg::Transaction tx,
      pg::Transaction::Begin(c, {.lock_timeout = std::chrono::milliseconds(wait_ms)}));
  auto r = c.Exec("SELECT state FROM pgstack_testdb.templates WHERE hash = $1 FOR UPDATE", {hash});
  if (!r.ok()) return LockedIfTimeout(r.status(), hash, wait_ms);
  return LockedRow{std::move(tx), r->rows() ? std::string(r->get(0, 0)) : std::string()};
}

}  // namespace

Result<std::optional<Build>> Templates::BeginBuild(const std::string& hash, int wait_ms) {
  PGSTACK_RETURN_IF_ERROR(ValidateHash(hash));
  std::string db = TemplateDatabaseName(hash);
  // A ready template needs no lock (and clones of it hold its row shared for a while).
  auto now = State(hash);
  if (now.ok() && *now == TemplateState::kReady) return std::optional<Build>();
  if (!now.ok() && OutcomeOf(now.status()) != Outcome::kNotFound) return now.status();
  PGSTACK_ASSIGN_OR_RETURN(pg::Connection opened, conns_.Open());
  auto lock = std::make_unique<pg::Connection>(std::move(opened));
  // gc may remove a dead build's row between the two transactions below: then go again.
  for (int attempt = 0; attempt < 5; ++attempt) {
    PGSTACK_RETURN_IF_ERROR(Register(*lock, hash, db, wait_ms));
    PGSTACK_ASSIGN_OR_RETURN(LockedRow row, LockRow(*lock, hash, wait_ms));
    if (row.state.empty()) continue;
    if (row.state == "ready") return std::optional<Build>();
    // "building" whose builder is gone (we hold its lock now), or just made: ours to build.
    Status s = lock->Run(
        "UPDATE pgstack_testdb.templates SET state = 'building', ready_at = NULL WHERE hash = $1",
        {hash});
    Result<std::string> password = s.ok() ? Prepare(hash, db) : Result<std::string>(s);
    if (!password.ok()) return password.status();
    return std::optional<Build>(
        Build(hash, db, std::move(*password), std::move(lock), std::move(row.tx)));
  }
  return Status::Failure(fmt::format("template {}: its catalog row kept disappearing", hash));
}

Result<std::string> Templates::Prepare(const std::string& hash, const std::string& db) {
  // Whatever a dead builder or an earlier generation left goes first.
  PGSTACK_RETURN_IF_ERROR(DropTestsOf(conns_, hash, o_.build_wait_ms));
  PGSTACK_ASSIGN_OR_RETURN(ConnPool::Lease ddl, conns_.Acquire());
  PGSTACK_RETURN_IF_ERROR(DropDatabaseAndRole(*ddl, db));
  std::string owner = owner_, password;
  if (!o_.pooled) {
    PGSTACK_ASSIGN_OR_RETURN(password, core::RandomSecret());
    PGSTACK_RETURN_IF_ERROR(EnsureLoginRole(*ddl, db, password, TemplateComment(hash)));
    owner = db;
  }
  PGSTACK_RETURN_IF_ERROR(
      CloneDatabase(*ddl, db, "template0", owner, Strategy::kWalLog, TemplateComment(hash)));
  PGSTACK_RETURN_IF_ERROR(Seclude(*ddl, conns_.params(), db, "template0", owner));
  if (o_.extensions.empty()) return password;
  pg::ConnParams in_db = conns_.params();
  in_db.dbname = db;
  Status s;
  {  // closed before anything may drop the database again
    auto c = pg::Connection::Open(in_db);
    s = c.ok() ? Status::Ok() : c.status();
    for (size_t i = 0; s.ok() && i < o_.extensions.size(); ++i) {
      s = c->Run("CREATE EXTENSION IF NOT EXISTS " + c->QuoteIdent(o_.extensions[i]));
    }
  }
  if (!s.ok()) {
    (void)DropDatabaseAndRole(*ddl, db);
    return s.WithContext("preparing template " + hash);
  }
  return password;
}

Status Templates::Finish(Build& b) {
  PGSTACK_ASSIGN_OR_RETURN(ConnPool::Lease ddl, conns_.Acquire());
  PGSTACK_RETURN_IF_ERROR(SealTemplate(*ddl, b.database_));
  PGSTACK_RETURN_IF_ERROR(b.lock_->Run(
      "UPDATE pgstack_testdb.templates SET state = 'ready', ready_at = now(), last_used = now() "
      "WHERE hash = $1",
      {b.hash_}));
  return b.locked_.Commit();
}

Status Templates::Abort(Build& b, bool discard) {
  Status s = DropTestsOf(conns_, b.hash_, o_.build_wait_ms);
  if (s.ok()) {
    auto ddl = conns_.Acquire();
    s = ddl.ok() ? DropDatabaseAndRole(**ddl, b.database_) : ddl.status();
  }
  if (!s.ok()) {
    // Left "building" and unlocked now, whenever b goes: the next builder or gc cleans up. The
    // rollback's own failure would only repeat that the connection broke.
    (void)b.locked_.Rollback();
    return s;
  }
  PGSTACK_RETURN_IF_ERROR(b.lock_->Run(
      discard ? "UPDATE pgstack_testdb.templates SET state = 'discarded' WHERE hash = $1"
              : "DELETE FROM pgstack_testdb.templates WHERE hash = $1",
      {b.hash_}));
  return b.locked_.Commit();
}

Status Templates::FinishAbandoned(const std::string& hash) {
  PGSTACK_ASSIGN_OR_RETURN(TemplateState now, State(hash));
  if (now == TemplateState::kReady) return Status::Ok();
  PGSTACK_ASSIGN_OR_RETURN(ConnPool::Lease c, conns_.Acquire());
  PGSTACK_ASSIGN_OR_RETURN(LockedRow row, LockRow(*c, hash, o_.lock_wait_ms));
  Status answer;
  if (row.state.empty()) {
    answer = NotFound("template " + hash + " not found");
  } else if (row.state == "discarded") {
    answer = Gone("template " + hash + " was discarded");
  } else if (row.state == "building") {
    std::string db = TemplateDatabaseName(hash);
    PGSTACK_ASSIGN_OR_RETURN(ConnPool::Lease ddl, conns_.Acquire());
    PGSTACK_ASSIGN_OR_RETURN(pg::QueryResult exists,
                             ddl->Exec("SELECT 1 FROM pg_database WHERE datname = $1", {db}));
    answer = exists.rows() ? SealTemplate(*ddl, db)
                           : Gone("template " + hash + " was abandoned by its builder");
    if (answer.ok()) {
      answer = c->Run(
          "UPDATE pgstack_testdb.templates SET state = 'ready', ready_at = now(), "
          "last_used = now() WHERE hash = $1",
          {hash});
      if (answer.ok()) return row.tx.Commit();
    }
  }
  return answer;
}

Result<TemplateState> Templates::State(const std::string& hash) {
  PGSTACK_RETURN_IF_ERROR(ValidateHash(hash));
  PGSTACK_ASSIGN_OR_RETURN(ConnPool::Lease c, conns_.Acquire());
  PGSTACK_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      c->Exec("SELECT state FROM pgstack_testdb.templates WHERE hash = $1", {hash}));
  if (r.rows() == 0) return NotFound("template " + hash + " not found");
  std::string_view s = r.get(0, 0);
  return s == "ready"      ? TemplateState::kReady
         : s == "building" ? TemplateState::kBuilding
                           : TemplateState::kDiscarded;
}

Status Templates::Discard(const std::string& hash, int wait_ms) {
  PGSTACK_RETURN_IF_ERROR(ValidateHash(hash));
  PGSTACK_ASSIGN_OR_RETURN(ConnPool::Lease c, conns_.Acquire());
  PGSTACK_ASSIGN_OR_RETURN(LockedRow row, LockRow(*c, hash, wait_ms));
  if (row.state.empty() || row.state == "discarded") {
    return row.state.empty() ? NotFound("template " + hash + " not found")
                             : Gone("template " + hash + " was discarded already");
  }
  // Dropped under the row lock: no clone of it can start meanwhile (test_pool.cpp).
  Status s = DropTestsOf(conns_, hash, wait_ms);
  if (s.ok()) {
    auto ddl = conns_.Acquire();
    s = ddl.ok() ? DropDatabaseAndRole(**ddl, TemplateDatabaseName(hash)) : ddl.status();
  }
  if (s.ok()) {
    s = c->Run("UPDATE pgstack_testdb.templates SET state = 'discarded' WHERE hash = $1", {hash});
  }
  if (s.ok()) return row.tx.Commit();
  return s;
}

Result<int> Templates::EvictOverCap() {
  PGSTACK_ASSIGN_OR_RETURN(ConnPool::Lease c, conns_.Acquire());
  PGSTACK_ASSIGN_OR_RETURN(
      pg::QueryResult r, c->Exec("SELECT hash FROM pgstack_testdb.templates WHERE state = 'ready' "
                                 "ORDER BY last_used DESC OFFSET $1::int",
                                 {std::to_string(o_.max_templates)}));
  int evicted = 0;
  for (int i = 0; i < r.rows(); ++i) {
    Status s = Discard(std::string(r.get(i, 0)), o_.lock_wait_ms);
    if (s.ok()) ++evicted;  // one in use by a builder or discard right now stays for next time
  }
  return evicted;
}

Result<std::vector<TemplateInfo>> Templates::List() {
  PGSTACK_ASSIGN_OR_RETURN(ConnPool::Lease c, conns_.Acquire());
  PGSTACK_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      c->Exec("SELECT t.hash, t.database, t.state, to_char(t.last_used, 'YYYY-MM-DD HH24:MI:SS'), "
              "count(s.id), count(s.id) FILTER (WHERE s.state = 'ready'), "
              "count(s.id) FILTER (WHERE s.state = 'in_use') "
              "FROM pgstack_testdb.templates t LEFT JOIN pgstack_testdb.tests s USING (hash) "
              "GROUP BY t.hash ORDER BY t.last_used DESC"));
  std::vector<TemplateInfo> out;
  for (int i = 0; i < r.rows(); ++i) {
    PGSTACK_ASSIGN_OR_RETURN(int tests, r.get_int<int>(i, 4));
    PGSTACK_ASSIGN_OR_RETURN(int ready, r.get_int<int>(i, 5));
    PGSTACK_ASSIGN_OR_RETURN(int in_use, r.get_int<int>(i, 6));
    out.push_back(TemplateInfo{std::string(r.get(i, 0)), std::string(r.get(i, 1)),
                               std::string(r.get(i, 2)), std::string(r.get(i, 3)), tests, ready,
                               in_use});
  }
  return out;
}

Status Templates::SetSource(Build& b, const std::string& origin, const std::string& source) {
  return b.lock_->Run(
      "UPDATE pgstack_testdb.templates SET origin = $2, source = $3::jsonb WHERE hash = $1",
      {b.hash_, origin, source});
}

Result<std::optional<Templates::Sourced>> Templates::LatestFrom(const std::string& origin) {
  PGSTACK_ASSIGN_OR_RETURN(ConnPool::Lease c, conns_.Acquire());
  PGSTACK_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      c->Exec("SELECT hash, source::text FROM pgstack_testdb.templates WHERE origin = $1 "
              "AND state = 'ready' AND source IS NOT NULL ORDER BY last_used DESC LIMIT 1",
              {origin}));
  if (r.rows() == 0) return std::optional<Sourced>();
  return std::optional<Sourced>(Sourced{std::string(r.get(0, 0)), std::string(r.get(0, 1))});
}

}  // namespace pgstack::testdb
