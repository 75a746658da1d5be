#include "pgstack/testdb/gc.h"

#include <fmt/format.h>

#include <chrono>

#include "pgstack/pg/transaction.h"
#include "pgstack/testdb/database_ddl.h"
#include "pgstack/testdb/names.h"

namespace pgstack::testdb {
namespace {

// Drops the database of every row `select` locks (FOR UPDATE SKIP LOCKED: rows nobody works
// on), deleting the row from `table`; the number of rows.
Result<int> DropLockedRows(ConnPool& conns, const std::string& select, const std::string& table,
                           const std::string& key, const Options& o) {
  PGSTACK_ASSIGN_OR_RETURN(ConnPool::Lease row, conns.Acquire());
  PGSTACK_ASSIGN_OR_RETURN(ConnPool::Lease ddl, conns.Acquire());
  PGSTACK_ASSIGN_OR_RETURN(
      pg::Transaction tx,
      pg::Transaction::Begin(*row, {.lock_timeout = std::chrono::milliseconds(1000)}));
  PGSTACK_ASSIGN_OR_RETURN(pg::QueryResult r, row->Exec(select));
  for (int i = 0; i < r.rows(); ++i) {
    std::string id(r.get(i, 0)), db(r.get(i, 1));
    Status s = table == "templates" ? DropTestsOf(conns, id, o.build_wait_ms) : Status::Ok();
    if (s.ok()) s = DropDatabaseAndRole(*ddl, db);
    if (s.ok())
      s = row->Run("DELETE FROM pgstack_testdb." + table + " WHERE " + key + " = $1", {id});
    if (!s.ok()) {
      (void)tx.Commit();  // keeps the rows whose databases are gone already
      return s;
    }
  }
  PGSTACK_RETURN_IF_ERROR(tx.Commit());
  return r.rows();
}

// A condition: no row of the catalog names the database `name` (a column) stands for.
std::string Unlisted(const std::string& name) {
  return fmt::format(
      "NOT EXISTS (SELECT 1 FROM pgstack_testdb.templates t WHERE t.database = {0} AND "
      "t.state <> 'discarded') AND NOT EXISTS (SELECT 1 FROM pgstack_testdb.tests s WHERE "
      "s.database = {0})",
      name);
}

}  // namespace

Result<GcReport> CollectGarbage(ConnPool& conns, Templates& templates, TestPool& tests,
                                const Options& o, bool all) {
  GcReport g;
  PGSTACK_ASSIGN_OR_RETURN(
      g.dead_builds,
      DropLockedRows(conns,
                     "SELECT hash, database FROM pgstack_testdb.templates WHERE state = "
                     "'building' FOR UPDATE SKIP LOCKED",
                     "templates", "hash", o));
  PGSTACK_ASSIGN_OR_RETURN(
      g.dead_clones,
      DropLockedRows(conns,
                     "SELECT id::text, database FROM pgstack_testdb.tests WHERE state = "
                     "'creating' FOR UPDATE SKIP LOCKED",
                     "tests", "id::text", o));
  {
    PGSTACK_ASSIGN_OR_RETURN(ConnPool::Lease c, conns.Acquire());
    PGSTACK_ASSIGN_OR_RETURN(
        pg::QueryResult stale,
        c->Exec("SELECT DISTINCT s.hash, count(*) OVER (PARTITION BY s.hash) "
                "FROM pgstack_testdb.tests s WHERE NOT EXISTS (SELECT 1 FROM "
                "pgstack_testdb.templates t WHERE t.hash = s.hash AND t.state <> 'discarded')"));
    for (int i = 0; i < stale.rows(); ++i) {
      PGSTACK_RETURN_IF_ERROR(DropTestsOf(conns, std::string(stale.get(i, 0)), o.build_wait_ms));
      PGSTACK_ASSIGN_OR_RETURN(int n, stale.get_int<int>(i, 1));
      g.stale_tests += n;
    }
  }
  for (int i = 0; i < 10000; ++i) {
    PGSTACK_ASSIGN_OR_RETURN(bool did, tests.DropDirtyOne());
    if (!did) break;
    ++g.recreated;
  }
  PGSTACK_ASSIGN_OR_RETURN(g.evicted, templates.EvictOverCap());
  if (all) {
    PGSTACK_ASSIGN_OR_RETURN(std::vector<TemplateInfo> list, templates.List());
    for (const TemplateInfo& t : list) {
      if (t.state == "discarded") continue;
      PGSTACK_RETURN_IF_ERROR(templates.Discard(t.hash, o.build_wait_ms));
      ++g.discarded;
    }
  }
  // A marked database that no row lists: rows are committed before their database is created
  // and deleted after it is dropped (catalog.h), so nobody is working on it.
  PGSTACK_ASSIGN_OR_RETURN(ConnPool::Lease c, conns.Acquire());
  PGSTACK_ASSIGN_OR_RETURN(std::vector<std::string> orphans,
                           MarkedDatabases(*c, Unlisted("d.datname")));
  for (const std::string& name : orphans) PGSTACK_RETURN_IF_ERROR(DropDatabaseAndRole(*c, name));
  // A marked role without its database or a row: made before a clone that never happened.
  PGSTACK_ASSIGN_OR_RETURN(
      std::vector<std::string> roles,
      MarkedRoles(*c, Unlisted("r.rolname") +
                          " AND NOT EXISTS (SELECT 1 FROM pg_database d WHERE d.datname = "
                          "r.rolname)"));
  for (const std::string& name : roles) PGSTACK_RETURN_IF_ERROR(DropMarkedRole(*c, name));
  g.orphans += static_cast<int>(orphans.size() + roles.size());
  return g;
}

}  // namespace pgstack::testdb
