#include "pgstack/testdb/test_pool.h"

#include <fmt/format.h>

#include <chrono>

#include "pgstack/core/os.h"
#include "pgstack/pg/error_class.h"
#include "pgstack/pg/transaction.h"
#include "pgstack/testdb/catalog.h"
#include "pgstack/testdb/database_ddl.h"
#include "pgstack/testdb/names.h"
#include "pgstack/testdb/outcome.h"

namespace pgstack::testdb {
namespace {

using std::chrono::milliseconds;

Status NoSuchTest(const std::string& hash, int64_t id) {
  return hash.empty()
             ? NotFound(fmt::format("no test database with id {}", id))
             : NotFound(fmt::format("template {} has no test database with id {}", hash, id));
}

// Holds the template row shared (FOR KEY SHARE: a discard or rebuild, which lock it FOR UPDATE,
// wait for the clone, while GETs touching last_used do not). Its database name when it is ready
// and nobody is discarding or rebuilding it, "" otherwise.
Result<std::string> LockReadyTemplate(pg::Connection& c, const std::string& hash) {
  PGSTACK_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      c.Exec("SELECT database FROM pgstack_testdb.templates WHERE hash = $1 AND state = 'ready' "
             "FOR KEY SHARE SKIP LOCKED",
             {hash}));
  return r.rows() ? std::string(r.get(0, 0)) : std::string();
}

// Commits a row "creating" one more test database of hash, before the database exists
// (catalog.h): its id and database name, with no password yet. nullopt when the template is not
// ready or has max_tests databases already. The cap counts every database of the template,
// whatever its state; creators of one template take turns on its row (FOR NO KEY UPDATE, a few
// milliseconds) so that two cannot both see room for one more. A builder or discard holding the
// row means "not ready": no clone then.
Result<std::optional<TestDatabase>> AddCreatingRow(pg::Connection& c, const std::string& hash,
                                                   int max_tests) {
  PGSTACK_ASSIGN_OR_RETURN(pg::Transaction tx,
                           pg::Transaction::Begin(c, {.lock_timeout = milliseconds(2000)}));
  auto turn = c.Exec(
      "SELECT 1 FROM pgstack_testdb.templates WHERE hash = $1 AND state = 'ready' "
      "FOR NO KEY UPDATE",
      {hash});
  Result<pg::QueryResult> inserted = pg::QueryResult();
  if (!turn.ok()) {
    inserted = turn.status();
  } else if (turn->rows() == 1) {
    inserted = c.Exec(
        "WITH n AS (SELECT nextval('pgstack_testdb.tests_id_seq') AS id) "
        "INSERT INTO pgstack_testdb.tests (id, hash, database, state) "
        "SELECT n.id, $1, $2 || n.id, 'creating' FROM n "
        "WHERE (SELECT count(*) FROM pgstack_testdb.tests WHERE hash = $1) < $3::int "
        "RETURNING id, database",
        {hash, TestDatabaseStem(hash), std::to_string(max_tests)});
  }
  if (!inserted.ok()) {
    if (pg::Classify(inserted.status()) == pg::ErrorClass::kLockNotAvailable) {
      return std::optional<TestDatabase>();
    }
    return inserted.status();
  }
  PGSTACK_RETURN_IF_ERROR(tx.Commit());
  if (inserted->rows() == 0) return std::optional<TestDatabase>();
  PGSTACK_ASSIGN_OR_RETURN(long long id, inserted->get_int<long long>(0, 0));
  return std::optional<TestDatabase>(TestDatabase{id, hash, std::string(inserted->get(0, 1))});
}

}  // namespace

Status TestPool::MakeClone(pg::Connection& ddl, const std::string& name, const std::string& hash,
                           const std::string& source, bool own_role, std::string& password) {
  std::string owner = owner_;
  if (own_role) {
    if (password.empty()) {
      PGSTACK_ASSIGN_OR_RETURN(password, core::RandomSecret());
    }
    PGSTACK_RETURN_IF_ERROR(EnsureLoginRole(ddl, name, password, TestComment(hash)));
    owner = name;
  }
  PGSTACK_RETURN_IF_ERROR(CloneDatabase(ddl, name, source, owner, o_.strategy, TestComment(hash)));
  Status s = Seclude(ddl, conns_.params(), name, source, owner);
  if (!s.ok()) (void)DropDatabase(ddl, name);
  return s;
}

Result<TestPool::Claimed> TestPool::Claim(const std::string& hash) {
  PGSTACK_ASSIGN_OR_RETURN(ConnPool::Lease c, conns_.Acquire());
  // last_used is least-recently-used bookkeeping only: skipped while a builder or a discard
  // holds the template's row, so that a GET never waits for one.
  PGSTACK_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      c->Exec("WITH t AS (SELECT state FROM pgstack_testdb.templates WHERE hash = $1), "
              "c AS (UPDATE pgstack_testdb.tests SET state = 'in_use', handed_out_at = now() "
              "WHERE id = (SELECT id FROM pgstack_testdb.tests WHERE hash = $1 AND state = "
              "'ready' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) "
              "AND (SELECT state FROM t) = 'ready' RETURNING id, database, password), "
              "touched AS (UPDATE pgstack_testdb.templates SET last_used = now() WHERE hash = "
              "(SELECT hash FROM pgstack_testdb.templates WHERE hash = $1 "
              "FOR NO KEY UPDATE SKIP LOCKED) AND EXISTS (SELECT 1 FROM c)) "
              "SELECT (SELECT state FROM t), c.id, c.database, c.password FROM (SELECT 1) one "
              "LEFT JOIN c ON true",
              {hash}));
  Claimed out;
  if (r.rows() == 0) return out;
  out.template_state = r.get(0, 0);
  if (!r.is_null(0, 1)) {
    PGSTACK_ASSIGN_OR_RETURN(long long id, r.get_int<long long>(0, 1));
    out.test = TestDatabase{id, hash, std::string(r.get(0, 2)), std::string(r.get(0, 3))};
  }
  return out;
}

Result<std::optional<TestDatabase>> TestPool::Create(const std::string& hash, bool hand_out) {
  PGSTACK_ASSIGN_OR_RETURN(ConnPool::Lease row, conns_.Acquire());
  PGSTACK_ASSIGN_OR_RETURN(ConnPool::Lease ddl, conns_.Acquire());
  PGSTACK_ASSIGN_OR_RETURN(std::optional<TestDatabase> t, AddCreatingRow(*row, hash, o_.max_tests));
  if (!t) return t;
  std::string id = std::to_string(t->id);
  Status made;
  {
    PGSTACK_ASSIGN_OR_RETURN(pg::Transaction tx,
                             pg::Transaction::Begin(*row, {.lock_timeout = milliseconds(1000)}));
    // gc may have taken a "creating" row that was not locked yet: then it is gone, or going
    // while gc still holds it (past our lock_timeout on a loaded machine), and so are we: the
    // caller tries again.
    auto mine = row->Exec("SELECT 1 FROM pgstack_testdb.tests WHERE id = $1 FOR UPDATE", {id});
    if (!mine.ok() && pg::Classify(mine.status()) == pg::ErrorClass::kLockNotAvailable)
      return std::optional<TestDatabase>();
    if (!mine.ok()) return mine.status();
    if (mine->rows() == 0) return std::optional<TestDatabase>();
    auto source = LockReadyTemplate(*row, hash);
    // A table lock queued ahead of ours (an ALTER TABLE of the catalog) past the lock timeout
    // reads as "not ready": the caller tries again.
    if (!source.ok() && pg::Classify(source.status()) == pg::ErrorClass::kLockNotAvailable)
      source = std::string();
    made = source.ok() ? Status::Ok() : source.status();
    if (made.ok() && !source->empty()) {
      made = MakeClone(*ddl, t->database, hash, *source, !o_.pooled, t->password);
      if (made.ok()) {
        PGSTACK_RETURN_IF_ERROR(row->Run(
            hand_out ? "UPDATE pgstack_testdb.tests SET state = 'in_use', handed_out_at = now(), "
                       "password = NULLIF($2, '') WHERE id = $1"
                     : "UPDATE pgstack_testdb.tests SET state = 'ready', password = NULLIF($2, '') "
                       "WHERE id = $1",
            {id, t->password}));
        PGSTACK_RETURN_IF_ERROR(tx.Commit());
        return t;
      }
    }
  }
  // The template is not ready or the clone failed: nothing was created, so the row goes (after
  // the transaction, which a failed statement may have aborted).
  (void)DropMarkedRole(*ddl, t->database);
  Status forgot = row->Run("DELETE FROM pgstack_testdb.tests WHERE id = $1", {id});
  if (!made.ok()) return made;
  PGSTACK_RETURN_IF_ERROR(forgot);
  return std::optional<TestDatabase>();
}

Status TestPool::Unlock(const std::string& hash, int64_t id) {
  PGSTACK_ASSIGN_OR_RETURN(ConnPool::Lease c, conns_.Acquire());
  std::string ids = std::to_string(id);
  PGSTACK_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      c->Exec("UPDATE pgstack_testdb.tests SET state = 'ready', handed_out_at = NULL "
              "WHERE id = $1 AND ($2 = '' OR hash = $2) AND state IN ('in_use', 'ready') "
              "RETURNING id",
              {ids, hash}));
  if (r.rows() == 1) return Status::Ok();
  PGSTACK_ASSIGN_OR_RETURN(
      pg::QueryResult st,
      c->Exec("SELECT state FROM pgstack_testdb.tests WHERE id = $1 AND ($2 = '' OR hash = $2)",
              {ids, hash}));
  if (st.rows() == 0) return NoSuchTest(hash, id);
  return Locked(fmt::format("test database {} is being {}", id,
                            st.get(0, 0) == "creating" ? "created" : "recreated"));
}

Status TestPool::MarkDirty(const std::string& hash, int64_t id) {
  PGSTACK_ASSIGN_OR_RETURN(ConnPool::Lease c, conns_.Acquire());
  PGSTACK_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      c->Exec("UPDATE pgstack_testdb.tests SET state = 'dirty', handed_out_at = NULL "
              "WHERE id = $1 AND ($2 = '' OR hash = $2) AND state <> 'creating' RETURNING id",
              {std::to_string(id), hash}));
  // A database being created is clean already: nothing to do for it either.
  if (r.rows() == 1) return Status::Ok();
  PGSTACK_ASSIGN_OR_RETURN(
      pg::QueryResult st,
      c->Exec("SELECT 1 FROM pgstack_testdb.tests WHERE id = $1 AND ($2 = '' OR hash = $2)",
              {std::to_string(id), hash}));
  return st.rows() ? Status::Ok() : NoSuchTest(hash, id);
}

Result<bool> TestPool::RecreateOne(int64_t only_id) {
  PGSTACK_ASSIGN_OR_RETURN(ConnPool::Lease row, conns_.Acquire());
  PGSTACK_ASSIGN_OR_RETURN(ConnPool::Lease ddl, conns_.Acquire());
  PGSTACK_ASSIGN_OR_RETURN(
      pg::Transaction tx,
      pg::Transaction::Begin(*row, {.lock_timeout = milliseconds(o_.get_wait_ms)}));
  PGSTACK_ASSIGN_OR_RETURN(
      pg::QueryResult picked,
      row->Exec("SELECT id, hash, database, coalesce(password, '') FROM pgstack_testdb.tests "
                "WHERE state = 'dirty' AND id = $1::bigint FOR UPDATE",
                {std::to_string(only_id)}));
  if (picked.rows() == 0) return false;
  std::string id(picked.get(0, 0)), hash(picked.get(0, 1)), name(picked.get(0, 2));
  std::string password(picked.get(0, 3));
  PGSTACK_RETURN_IF_ERROR(DropDatabase(*ddl, name));
  // A failed lock aborts the row's transaction: nothing more can run in it (a DELETE would only
  // report 25P02 in place of this error). The row rolls back to dirty, its database dropped: the
  // next recreate tries again.
  PGSTACK_ASSIGN_OR_RETURN(std::string source, LockReadyTemplate(*row, hash));
  Status made = Status::Ok();
  if (!source.empty()) {
    // As it was handed out: a clone with the application role's credentials (--pooled) stays so.
    made = MakeClone(*ddl, name, hash, source, !password.empty(), password);
    if (made.ok()) {
      PGSTACK_RETURN_IF_ERROR(
          row->Run("UPDATE pgstack_testdb.tests SET state = 'ready' WHERE id = $1", {id}));
      PGSTACK_RETURN_IF_ERROR(tx.Commit());
      return true;
    }
  }
  // The template is gone or the clone failed: the database is dropped, so its role and its row
  // go too.
  PGSTACK_RETURN_IF_ERROR(DropMarkedRole(*ddl, name));
  PGSTACK_RETURN_IF_ERROR(row->Run("DELETE FROM pgstack_testdb.tests WHERE id = $1", {id}));
  PGSTACK_RETURN_IF_ERROR(tx.Commit());
  if (!made.ok()) return made;
  return true;
}

Result<bool> TestPool::FillOne() {
  std::string hash;
  {
    PGSTACK_ASSIGN_OR_RETURN(ConnPool::Lease c, conns_.Acquire());
    PGSTACK_ASSIGN_OR_RETURN(
        pg::QueryResult r,
        c->Exec("SELECT t.hash FROM pgstack_testdb.templates t "
                "LEFT JOIN pgstack_testdb.tests s ON s.hash = t.hash WHERE t.state = 'ready' "
                "GROUP BY t.hash, t.last_used "
                "HAVING count(s.id) FILTER (WHERE s.state IN ('ready', 'creating')) < $1::int "
                "AND count(s.id) < $2::int "
                "ORDER BY count(s.id) FILTER (WHERE s.state IN ('ready', 'creating')), "
                "t.last_used DESC LIMIT 1",
                {std::to_string(o_.pool_size), std::to_string(o_.max_tests)}));
    if (r.rows() == 0) return false;
    hash = r.get(0, 0);
  }
  PGSTACK_ASSIGN_OR_RETURN(std::optional<TestDatabase> made, Create(hash, false));
  return made.has_value();
}

Result<bool> TestPool::DropDirtyOne() {
  PGSTACK_ASSIGN_OR_RETURN(ConnPool::Lease row, conns_.Acquire());
  PGSTACK_ASSIGN_OR_RETURN(ConnPool::Lease ddl, conns_.Acquire());
  PGSTACK_ASSIGN_OR_RETURN(pg::Transaction tx,
                           pg::Transaction::Begin(*row, {.lock_timeout = milliseconds(1000)}));
  PGSTACK_ASSIGN_OR_RETURN(
      pg::QueryResult picked,
      row->Exec("SELECT id, database FROM pgstack_testdb.tests WHERE state = 'dirty' ORDER BY id "
                "LIMIT 1 FOR UPDATE SKIP LOCKED"));
  if (picked.rows() == 0) return false;
  PGSTACK_RETURN_IF_ERROR(DropDatabaseAndRole(*ddl, std::string(picked.get(0, 1))));
  PGSTACK_RETURN_IF_ERROR(
      row->Run("DELETE FROM pgstack_testdb.tests WHERE id = $1", {std::string(picked.get(0, 0))}));
  PGSTACK_RETURN_IF_ERROR(tx.Commit());
  return true;
}

Status DropTestsOf(ConnPool& conns, const std::string& hash, int wait_ms) {
  PGSTACK_ASSIGN_OR_RETURN(ConnPool::Lease row, conns.Acquire());
  PGSTACK_ASSIGN_OR_RETURN(ConnPool::Lease ddl, conns.Acquire());
  PGSTACK_ASSIGN_OR_RETURN(pg::Transaction tx,
                           pg::Transaction::Begin(*row, {.lock_timeout = milliseconds(wait_ms)}));
  auto rows = row->Exec(
      "SELECT id, database FROM pgstack_testdb.tests WHERE hash = $1 ORDER BY id FOR UPDATE",
      {hash});
  if (!rows.ok()) {
    if (pg::Classify(rows.status()) == pg::ErrorClass::kLockNotAvailable) {
      return Locked(
          fmt::format("a test database of template {} stayed busy for {} ms", hash, wait_ms));
    }
    return rows.status();
  }
  for (int i = 0; i < rows->rows(); ++i) {
    Status s = DropDatabaseAndRole(*ddl, std::string(rows->get(i, 1)));
    if (!s.ok()) {
      // Keep what was done: the rows of the databases already dropped go.
      (void)tx.Commit();
      return s;
    }
    PGSTACK_RETURN_IF_ERROR(
        row->Run("DELETE FROM pgstack_testdb.tests WHERE id = $1", {std::string(rows->get(i, 0))}));
  }
  return tx.Commit();
}

}  // namespace pgstack::testdb
