#include "pgstack/testdb/catalog.h"

namespace pgstack::testdb {

Status EnsureCatalog(pg::Connection& conn) {
  PGSTACK_ASSIGN_OR_RETURN(pg::QueryResult have,
                           conn.Exec("SELECT to_regclass('pgstack_testdb.tests') IS NOT NULL"));
  if (have.scalar() == "t") return Status::Ok();
  // CREATE ... IF NOT EXISTS races with itself; a transaction-scoped lock serialises the
  // first runs (and ends with the transaction, so it works through PgBouncer too).
  Status s = conn.Run(R"sql(
BEGIN;
SELECT pg_advisory_xact_lock(hashtext('pgstack_testdb catalog'));
CREATE SCHEMA IF NOT EXISTS pgstack_testdb;
COMMENT ON SCHEMA pgstack_testdb IS 'pgstack testdb: templates and test databases it made';
-- database follows from hash one to one: a second UNIQUE would escape ON CONFLICT (hash)
-- and fail concurrent first builders of one hash with a duplicate key.
CREATE TABLE IF NOT EXISTS pgstack_testdb.templates (
  hash text PRIMARY KEY,
  database text NOT NULL,
  state text NOT NULL CHECK (state IN ('building', 'ready', 'discarded')),
  created_at timestamptz NOT NULL DEFAULT now(),
  ready_at timestamptz,
  last_used timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS pgstack_testdb.tests (
  id bigserial PRIMARY KEY,
  hash text NOT NULL,
  database text NOT NULL UNIQUE,
  state text NOT NULL CHECK (state IN ('creating', 'ready', 'in_use', 'dirty')),
  created_at timestamptz NOT NULL DEFAULT now(),
  handed_out_at timestamptz
);
CREATE INDEX IF NOT EXISTS tests_hash_state ON pgstack_testdb.tests (hash, state);
COMMIT;)sql");
  if (!s.ok()) {
    (void)conn.Run("ROLLBACK");
    return s.WithContext("creating testdb's catalog (schema pgstack_testdb)");
  }
  return Status::Ok();
}

}  // namespace pgstack::testdb
