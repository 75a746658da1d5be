#include "pgstack/testdb/catalog.h"

#include <fmt/format.h>

#include "pgstack/location/testdb_roles.h"
#include "pgstack/pg/transaction.h"

namespace pgstack::testdb {

namespace {

// The newest column stands for the whole schema: a catalog an older pgstack made lacks it.
Result<bool> Complete(pg::Connection& conn) {
  PGSTACK_ASSIGN_OR_RETURN(
      pg::QueryResult have,
      conn.Exec("SELECT count(*) FROM pg_attribute WHERE attrelid = "
                "to_regclass('pgstack_testdb.tests') AND attname = 'password' AND NOT "
                "attisdropped"));
  return have.scalar() == "1";
}

// The schema, made or brought up to date; not safe to run twice at once (EnsureCatalog).
Status CreateCatalog(pg::Connection& conn) {
  return conn.Run(fmt::format(R"sql(
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
-- Who made a template from a migrations directory: the directory (absolute) and the flags.
ALTER TABLE pgstack_testdb.templates ADD COLUMN IF NOT EXISTS origin text;
ALTER TABLE pgstack_testdb.templates ADD COLUMN IF NOT EXISTS source jsonb;
CREATE TABLE IF NOT EXISTS pgstack_testdb.tests (
  id bigserial PRIMARY KEY,
  hash text NOT NULL,
  database text NOT NULL UNIQUE,
  state text NOT NULL CHECK (state IN ('creating', 'ready', 'in_use', 'dirty')),
  created_at timestamptz NOT NULL DEFAULT now(),
  handed_out_at timestamptz
);
CREATE INDEX IF NOT EXISTS tests_hash_state ON pgstack_testdb.tests (hash, state);
-- The password of the test database's own role (the database's name); NULL: handed out as the
-- application role (--pooled). Readable by the administrator only, as the whole schema.
ALTER TABLE pgstack_testdb.tests ADD COLUMN IF NOT EXISTS password text;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{group}') THEN
    CREATE ROLE {group} NOLOGIN;
    COMMENT ON ROLE {group} IS 'pgstack testdb: every role it makes, one per database';
  END IF;
END $$;)sql",
                              fmt::arg("group", location::kTestdbGroupRole)));
}

}  // namespace

Status EnsureCatalog(pg::Connection& conn) {
  PGSTACK_ASSIGN_OR_RETURN(bool complete, Complete(conn));
  if (complete) return Status::Ok();
  // CREATE ... IF NOT EXISTS races with itself; a transaction-scoped lock serialises the
  // first runs (and ends with the transaction, so it works through PgBouncer too). The runs
  // that waited for it look again and leave a complete catalog alone: their ALTER TABLEs would
  // queue an exclusive lock behind the first run's builds, and every testdb statement behind
  // that lock, past its lock timeout.
  PGSTACK_ASSIGN_OR_RETURN(pg::Transaction tx, pg::Transaction::Begin(conn));
  Status s = conn.Run("SELECT pg_advisory_xact_lock(hashtext('pgstack_testdb catalog'))");
  Result<bool> again = s.ok() ? Complete(conn) : Result<bool>(s);
  s = !again.ok() ? again.status() : *again ? Status::Ok() : CreateCatalog(conn);
  if (s.ok()) s = tx.Commit();
  return s.ok() ? s : s.WithContext("creating testdb's catalog (schema pgstack_testdb)");
}

}  // namespace pgstack::testdb
