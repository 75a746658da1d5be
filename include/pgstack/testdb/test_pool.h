// The warm pool of test databases: clones of a ready template, made ahead of time, handed out
// one test at a time, and either reused as they are (unlock) or dropped and cloned again
// (recreate). A clone is handed out only after its CREATE DATABASE committed: it is "ready" in
// the catalog only from then on. Every step holds its catalog row's lock (catalog.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "pgstack/core/status.h"
#include "pgstack/testdb/conn_pool.h"
#include "pgstack/testdb/options.h"

namespace pgstack::testdb {

struct TestDatabase {
  int64_t id = 0;
  std::string hash;
  std::string database;
  // Of the database's own login role, named as the database: it reaches this database only
  // (pg_hba, CONNECT) and owns what is in it. Empty: the application role's (--pooled, where
  // PgBouncer admits only the roles of its userlist).
  std::string password;
};

class TestPool {
 public:
  TestPool(ConnPool& conns, std::string owner, const Options& o)
      : conns_(conns), owner_(std::move(owner)), o_(o) {}

  struct Claimed {
    std::string template_state;        // building, ready, discarded; "" when there is none
    std::optional<TestDatabase> test;  // handed out now; empty when none is ready
  };
  // A ready clone of hash's template, now handed out, in one statement (the fast path of
  // every GET): with the template's state, so that the caller knows why there was none.
  Result<Claimed> Claim(const std::string& hash);
  // Clones hash's template once, ready for the pool or (hand_out) handed out at once; nullopt
  // when the template is not ready or has max_tests databases already.
  Result<std::optional<TestDatabase>> Create(const std::string& hash, bool hand_out);
  // Back to the pool as it is. NotFound when id is not a test database of hash (any hash when
  // hash is empty); Locked while it is being recreated.
  Status Unlock(const std::string& hash, int64_t id);
  // Marks it for recreation: no longer handed out; the workers replace it (FillOne) and drop it
  // (DropDirtyOne), or RecreateOne does both here and now. NotFound as Unlock.
  Status MarkDirty(const std::string& hash, int64_t id);
  // Drops that dirty database and clones it again under the same id and name.
  Result<bool> RecreateOne(int64_t id);
  // Clones once for the ready template whose warm pool (ready and being cloned) is the furthest
  // below pool_size, the most recently used first; false when every pool is full. A returned
  // database is replaced by a new clone before it is dropped: one CREATE DATABASE, not a DROP
  // and a CREATE, stands between a "recreate" and a ready database.
  Result<bool> FillOne();
  // Drops one dirty database and its row; false when there was none.
  Result<bool> DropDirtyOne();

 private:
  // Clones source as name for hash's template, owned by its own role (own_role: made first,
  // with password, made up when empty) or by the application role, then closed to everyone
  // else (Seclude).
  Status MakeClone(pg::Connection& ddl, const std::string& name, const std::string& hash,
                   const std::string& source, bool own_role, std::string& password);
  ConnPool& conns_;
  const std::string owner_;
  const Options& o_;
};

// Drops every test database of hash and its catalog rows, waiting up to wait_ms for each row a
// clone or recreation holds.
Status DropTestsOf(ConnPool& conns, const std::string& hash, int wait_ms);

}  // namespace pgstack::testdb
