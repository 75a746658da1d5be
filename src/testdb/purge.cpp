#include "pgstack/testdb/purge.h"

#include <chrono>
#include <optional>
#include <set>

#include "pgstack/pg/transaction.h"
#include "pgstack/testdb/database_ddl.h"
#include "pgstack/testdb/service.h"

namespace pgstack::testdb {

Result<int> Purge(const pg::ConnParams& admin) {
  pg::ConnParams p = admin;
  p.application_name = "pgstack down";  // not one of the sessions it ends
  PGSTACK_ASSIGN_OR_RETURN(pg::Connection lock, pg::Connection::Open(p));
  PGSTACK_ASSIGN_OR_RETURN(pg::Connection ddl, pg::Connection::Open(p));
  PGSTACK_ASSIGN_OR_RETURN(pg::QueryResult catalog,
                           lock.Exec("SELECT to_regclass('pgstack_testdb.tests') IS NOT NULL AND "
                                     "to_regclass('pgstack_testdb.templates') IS NOT NULL"));
  bool has_catalog = catalog.scalar() == "t";
  std::optional<pg::Transaction> tx;  // with a catalog: holds it from the sessions' end on
  if (has_catalog) {
    // The services' sessions hold the rows of the builds and clones they run; ended, their
    // unfinished CREATE DATABASEs roll back.
    PGSTACK_ASSIGN_OR_RETURN(
        pg::Transaction begun,
        pg::Transaction::Begin(lock, {.lock_timeout = std::chrono::milliseconds(10000)}));
    tx.emplace(std::move(begun));
    PGSTACK_RETURN_IF_ERROR(lock.Run(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 "
        "AND pid <> pg_backend_pid()",
        {std::string(kServiceApplicationName)}));
    PGSTACK_RETURN_IF_ERROR(lock.Run(
        "LOCK TABLE pgstack_testdb.templates, pgstack_testdb.tests IN ACCESS EXCLUSIVE MODE"));
  }
  // The marked databases, and those the catalog lists: a cloner ended between its CREATE
  // DATABASE and its COMMENT left one unmarked, which only its row names.
  PGSTACK_ASSIGN_OR_RETURN(std::vector<std::string> names, MarkedDatabases(ddl));
  std::set<std::string> doomed(names.begin(), names.end());
  if (has_catalog) {
    PGSTACK_ASSIGN_OR_RETURN(pg::QueryResult listed,
                             lock.Exec("SELECT database FROM pgstack_testdb.templates UNION "
                                       "SELECT database FROM pgstack_testdb.tests"));
    for (int i = 0; i < listed.rows(); ++i) doomed.emplace(listed.get(i, 0));
  }
  int dropped = 0;
  for (const std::string& name : doomed) {
    PGSTACK_ASSIGN_OR_RETURN(pg::QueryResult exists,
                             ddl.Exec("SELECT 1 FROM pg_database WHERE datname = $1", {name}));
    PGSTACK_RETURN_IF_ERROR(
        DropDatabaseAndRole(ddl, name));  // waits for a CREATE of it still running
    dropped += exists.rows() > 0;
  }
  PGSTACK_ASSIGN_OR_RETURN(std::vector<std::string> roles, MarkedRoles(ddl));
  for (const std::string& name : roles) PGSTACK_RETURN_IF_ERROR(DropMarkedRole(ddl, name));
  if (has_catalog) {
    PGSTACK_RETURN_IF_ERROR(
        lock.Run("DELETE FROM pgstack_testdb.tests; DELETE FROM pgstack_testdb.templates"));
    PGSTACK_RETURN_IF_ERROR(tx->Commit());
  }
  return dropped;
}

}  // namespace pgstack::testdb
