// The one table of lint rules. The checker (lint_check*.cpp) emits findings by LintRuleId;
// --help, the docs and the tests read this table, and a unit test runs every row's examples.
#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "pgstack/core/nearest.h"
#include "pgstack/migrate/lint.h"

namespace pgstack::migrate {
namespace {

using enum LintRuleId;
constexpr Severity kInfo = Severity::kInfo;
constexpr Severity kWarning = Severity::kWarning;
constexpr Severity kError = Severity::kError;

constexpr LintRule kRules[] = {
    // Indexes.
    {kRequireConcurrentIndexCreation, "require-concurrent-index-creation", kWarning,
     "CREATE INDEX without CONCURRENTLY on an existing table",
     "takes a SHARE lock on the table for the whole build: every INSERT, UPDATE and DELETE waits "
     "until the index is built (reads go on)",
     "CREATE INDEX CONCURRENTLY (SHARE UPDATE EXCLUSIVE: reads and writes go on); pgstack runs it "
     "outside a transaction and, after a failed build, drops the invalid index and builds again",
     "CREATE INDEX orders_customer_idx ON orders (customer_id);",
     "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);"},
    {kRequireConcurrentIndexDeletion, "require-concurrent-index-deletion", kWarning,
     "DROP INDEX without CONCURRENTLY on an existing table",
     "takes an ACCESS EXCLUSIVE lock on the index's table: it waits behind every running query "
     "on the table, and every query after it waits behind it",
     "DROP INDEX CONCURRENTLY IF EXISTS (waits for running queries without blocking new ones)",
     "DROP INDEX orders_customer_idx;", "DROP INDEX CONCURRENTLY IF EXISTS orders_customer_idx;"},
    {kRequireConcurrentReindex, "require-concurrent-reindex", kWarning,
     "REINDEX without CONCURRENTLY on an existing table",
     "takes a SHARE lock on the table (writes wait) and an ACCESS EXCLUSIVE lock on each index "
     "(queries that would use it wait) for the whole rebuild",
     "REINDEX INDEX CONCURRENTLY (or REINDEX TABLE CONCURRENTLY)",
     "REINDEX INDEX orders_customer_idx;", "REINDEX INDEX CONCURRENTLY orders_customer_idx;"},
    {kConcurrentlyInTransaction, "concurrently-in-transaction", kError,
     "a CONCURRENTLY statement in a file wrapped in BEGIN ... COMMIT",
     "refuses CONCURRENTLY inside a transaction block (ERROR 25001); pgstack runs such a file "
     "statement by statement instead, so the BEGIN ... COMMIT written around it does not hold",
     "remove BEGIN and COMMIT and put the CONCURRENTLY statement in a migration of its own",
     "BEGIN;\nCREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);\nCOMMIT;",
     "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);"},
    // Constraints.
    {kAddingForeignKeyConstraint, "adding-foreign-key-constraint", kWarning,
     "FOREIGN KEY added to an existing table without NOT VALID",
     "takes a SHARE ROW EXCLUSIVE lock on the table and on the referenced table, then checks "
     "every existing row while holding them: writes to both tables wait for the whole scan",
     "ADD CONSTRAINT ... NOT VALID (instant; new rows are checked), then in a later migration "
     "VALIDATE CONSTRAINT (scans under SHARE UPDATE EXCLUSIVE: writes go on)",
     "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES "
     "customers (id);",
     "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES "
     "customers (id) NOT VALID;"},
    {kConstraintMissingNotValid, "constraint-missing-not-valid", kWarning,
     "CHECK added to an existing table without NOT VALID",
     "takes an ACCESS EXCLUSIVE lock on the table and checks every row while holding it: reads "
     "and writes wait for the whole scan",
     "ADD CONSTRAINT ... CHECK (...) NOT VALID, then in a later migration VALIDATE CONSTRAINT "
     "(SHARE UPDATE EXCLUSIVE: reads and writes go on)",
     "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0);",
     "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID;"},
    {kDisallowedUniqueConstraint, "disallowed-unique-constraint", kWarning,
     "UNIQUE or PRIMARY KEY added to an existing table without USING INDEX",
     "builds the unique index under an ACCESS EXCLUSIVE lock: reads and writes wait for the "
     "whole build (a PRIMARY KEY also scans for NULLs)",
     "CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... UNIQUE USING INDEX (or "
     "PRIMARY KEY USING INDEX): instant",
     "ALTER TABLE orders ADD CONSTRAINT orders_number_key UNIQUE (number);",
     "ALTER TABLE orders ADD CONSTRAINT orders_number_key UNIQUE USING INDEX orders_number_idx;"},
    {kAddingExclusionConstraint, "adding-exclusion-constraint", kWarning,
     "EXCLUDE constraint added to an existing table",
     "builds the index and checks every row under an ACCESS EXCLUSIVE lock; there is no NOT "
     "VALID or USING INDEX form to avoid it",
     "add it when the table is created, or in a maintenance window; a unique index built "
     "CONCURRENTLY covers the equality-only cases",
     "ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room WITH =, "
     "during WITH &&);",
     "CREATE TABLE rooms (id bigint PRIMARY KEY, during tstzrange, EXCLUDE USING gist (during "
     "WITH &&));"},
    {kSettingNotNull, "setting-not-null", kWarning,
     "SET NOT NULL on an existing table without a validated CHECK (col IS NOT NULL)",
     "takes an ACCESS EXCLUSIVE lock and scans every row to check for NULLs while holding it; a "
     "valid CHECK (col IS NOT NULL) lets PostgreSQL skip the scan",
     "ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; in a later migration VALIDATE "
     "CONSTRAINT c, then SET NOT NULL (no scan), then DROP CONSTRAINT c",
     "ALTER TABLE orders ALTER COLUMN region SET NOT NULL;",
     "ALTER TABLE orders VALIDATE CONSTRAINT orders_region_not_null;\nALTER TABLE orders ALTER "
     "COLUMN region SET NOT NULL;"},
    // Columns.
    {kChangingColumnType, "changing-column-type", kWarning,
     "ALTER COLUMN TYPE that rewrites or scans an existing table",
     "takes an ACCESS EXCLUSIVE lock and rewrites the table and rebuilds its indexes while "
     "holding it; only binary-compatible changes (varchar(n) to text or a longer varchar, "
     "numeric(p,s) to a larger p) are catalog-only",
     "add a new column, backfill it in batches, switch the code to it, then drop the old one; or "
     "change only to a binary-compatible type",
     "ALTER TABLE orders ALTER COLUMN quantity TYPE bigint;",
     "CREATE TABLE notes (id bigint PRIMARY KEY, body varchar(100));\nALTER TABLE notes ALTER "
     "COLUMN body TYPE text;"},
    {kAddingFieldWithVolatileDefault, "adding-field-with-volatile-default", kWarning,
     "ADD COLUMN with a volatile DEFAULT (random(), gen_random_uuid(), clock_timestamp(), ...)",
     "evaluates a volatile default for every existing row: the table is rewritten under an "
     "ACCESS EXCLUSIVE lock (a constant or stable default, now() included, is catalog-only)",
     "add the column without the default (or with a constant one), SET DEFAULT afterwards for "
     "new rows, and backfill existing rows in batches",
     "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();",
     "ALTER TABLE orders ADD COLUMN token uuid;\nALTER TABLE orders ALTER COLUMN token SET DEFAULT "
     "gen_random_uuid();"},
    {kAddingSerialColumn, "adding-serial-column", kWarning,
     "ADD COLUMN of type serial or GENERATED ... AS IDENTITY",
     "gives every existing row a value from the sequence: the table is rewritten under an "
     "ACCESS EXCLUSIVE lock",
     "add a nullable bigint column, attach a sequence as its default, backfill in batches, then "
     "add the constraints",
     "ALTER TABLE orders ADD COLUMN seq bigserial;", "ALTER TABLE orders ADD COLUMN seq bigint;"},
    {kAddingStoredGeneratedColumn, "adding-stored-generated-column", kWarning,
     "ADD COLUMN ... GENERATED ALWAYS AS (...) STORED",
     "computes and stores the value for every existing row: the table is rewritten under an "
     "ACCESS EXCLUSIVE lock",
     "add a plain column filled by a trigger for new rows, backfill in batches; or compute it in "
     "a view or the query",
     "ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS (total * 100) STORED;",
     "CREATE TABLE lines (id bigint PRIMARY KEY, price numeric, cents bigint GENERATED ALWAYS AS "
     "(price * 100) STORED);"},
    {kAddingRequiredField, "adding-required-field", kError,
     "ADD COLUMN ... NOT NULL without a DEFAULT",
     "fails with ERROR 23502 (column contains null values) as soon as the table has a row; it "
     "only works on an empty table",
     "ADD COLUMN ... NOT NULL DEFAULT <constant> (catalog-only), or add it nullable, backfill, "
     "and set NOT NULL through a validated CHECK",
     "ALTER TABLE orders ADD COLUMN region text NOT NULL;",
     "ALTER TABLE orders ADD COLUMN region text NOT NULL DEFAULT 'eu';"},
    // Code still running.
    {kRenamingTable, "renaming-table", kWarning, "RENAME of an existing table",
     "renames at once (a brief ACCESS EXCLUSIVE lock), but every query of the code still "
     "deployed that names the old table fails (ERROR 42P01)",
     "expand and contract: create the new table (or a view with the new name), move the code to "
     "it, and drop the old name in a later release",
     "ALTER TABLE orders RENAME TO purchases;", "CREATE VIEW purchases AS SELECT * FROM orders;"},
    {kRenamingColumn, "renaming-column", kWarning, "RENAME COLUMN of an existing table",
     "renames at once (a brief ACCESS EXCLUSIVE lock), but every query of the code still "
     "deployed that names the old column fails (ERROR 42703)",
     "add the new column, write both, backfill, move the readers, then drop the old column in a "
     "later release",
     "ALTER TABLE orders RENAME COLUMN total TO amount;",
     "ALTER TABLE orders ADD COLUMN amount numeric;"},
    {kDroppingTable, "dropping-table", kWarning, "DROP TABLE of an existing table",
     "takes an ACCESS EXCLUSIVE lock and removes the table and its data for good; the code still "
     "deployed that uses it fails",
     "deploy code that no longer uses the table first; drop it in a later migration (and say so "
     "with lint-ignore, naming the release)",
     "DROP TABLE legacy_orders;", "CREATE TABLE scratch (id bigint);\nDROP TABLE scratch;"},
    {kDroppingColumn, "dropping-column", kWarning, "DROP COLUMN of an existing table",
     "drops the column in the catalog only, under a brief ACCESS EXCLUSIVE lock, but the code "
     "still deployed that reads or writes it fails, and ORMs that cache column lists fail on "
     "INSERT",
     "tell the code (ORM) to ignore the column and deploy that first; drop it in a later "
     "migration",
     "ALTER TABLE orders DROP COLUMN legacy_code;",
     "CREATE TABLE scratch (id bigint, tmp text);\nALTER TABLE scratch DROP COLUMN tmp;"},
    // Maintenance statements.
    {kVacuumFull, "vacuum-full", kWarning, "VACUUM FULL",
     "rewrites the whole table and its indexes under an ACCESS EXCLUSIVE lock: reads and writes "
     "wait until it ends, and it needs room for a second copy",
     "plain VACUUM (no exclusive lock); to give space back online use pg_repack or pg_squeeze",
     "VACUUM FULL orders;", "VACUUM orders;"},
    {kCluster, "cluster", kWarning, "CLUSTER",
     "rewrites the table in index order under an ACCESS EXCLUSIVE lock",
     "leave physical order to maintenance windows, or use pg_repack --order-by",
     "CLUSTER orders USING orders_created_idx;", "ANALYZE orders;"},
    {kTruncateCascade, "truncate-cascade", kWarning, "TRUNCATE ... CASCADE",
     "takes ACCESS EXCLUSIVE locks on the table and on every table that references it, "
     "recursively, and empties them all",
     "TRUNCATE the tables you mean by name (it fails if others still reference them)",
     "TRUNCATE customers CASCADE;", "TRUNCATE customers, orders;"},
    {kDetachPartitionWithoutConcurrently, "detach-partition-without-concurrently", kWarning,
     "DETACH PARTITION without CONCURRENTLY",
     "takes an ACCESS EXCLUSIVE lock on the partitioned table: every query on any partition waits",
     "DETACH PARTITION ... CONCURRENTLY (SHARE UPDATE EXCLUSIVE, outside a transaction; pgstack "
     "runs it so); if it is interrupted, finish with DETACH PARTITION ... FINALIZE",
     "ALTER TABLE events DETACH PARTITION events_2023;",
     "ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;"},
    // The transaction as a whole, and pgstack's runner.
    {kMultipleStrongLocks, "multiple-strong-locks", kWarning,
     "a slow step on a table this transaction already holds a strong lock on",
     "holds every lock until the transaction commits: after an earlier statement locked the "
     "table (ACCESS EXCLUSIVE for most ALTER TABLE), this statement's scan, rewrite, build or "
     "backfill runs while the queries that lock blocks wait",
     "put the slow step in a migration of its own (pgstack commits each migration on its own), "
     "e.g. ADD CONSTRAINT ... NOT VALID in one and VALIDATE CONSTRAINT in the next",
     "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID;\nALTER "
     "TABLE orders VALIDATE CONSTRAINT orders_total_positive;",
     "ALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders ADD COLUMN tag text;"},
    {kNonIdempotentResume, "non-idempotent-resume", kWarning,
     "a statement that runs outside a transaction and fails when repeated",
     "commits a statement that cannot run in a transaction on its own; if the run stops right "
     "after it, pgstack resumes at that statement, and repeating it fails (the object is gone)",
     "write it so that repeating it is harmless: DROP INDEX CONCURRENTLY IF EXISTS",
     "DROP INDEX CONCURRENTLY orders_customer_idx;",
     "DROP INDEX CONCURRENTLY IF EXISTS orders_customer_idx;"},
    {kLockTimeoutDisabled, "lock-timeout-disabled", kWarning,
     "lock_timeout turned off (0) in a migration",
     "lets a statement wait for its lock without bound when lock_timeout is 0: waiting behind a "
     "long query, it makes every later query on the table queue behind it (pgstack runs "
     "migrations with a lock_timeout so that this cannot happen)",
     "keep pgstack's lock_timeout (--pg-lock-timeout, or the lock-timeout= directive with a few "
     "seconds); pgstack retries with backoff",
     "SET LOCAL lock_timeout = 0;\nALTER TABLE orders ADD COLUMN note text;",
     "SET LOCAL lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN note text;"},
    // Style: new columns.
    {kPreferBigintOverInt, "prefer-bigint-over-int", kInfo,
     "a key column (id, *_id, primary or foreign key) of type "
     "integer or smallint",
     "stops an integer key at 2,147,483,647; changing it to bigint later rewrites the table "
     "under an ACCESS EXCLUSIVE lock",
     "use bigint for keys from the start", "CREATE TABLE tags (id integer PRIMARY KEY, name text);",
     "CREATE TABLE tags (id bigint PRIMARY KEY, name text);"},
    {kPreferIdentity, "prefer-identity", kInfo, "a serial, bigserial or smallserial column",
     "implements serial as a separate sequence with its own permissions, merely owned by the "
     "column; an identity column is the SQL-standard form and keeps the sequence tied to it",
     "bigint GENERATED ALWAYS AS IDENTITY (or BY DEFAULT)",
     "CREATE TABLE tags (id bigserial PRIMARY KEY, name text);",
     "CREATE TABLE tags (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text);"},
    {kPreferTimestamptz, "prefer-timestamptz", kInfo, "a timestamp (without time zone) column",
     "stores a timestamp as wall-clock time with no zone: the same instant reads differently per "
     "client, and changing it to timestamptz later rewrites the table",
     "timestamptz (timestamp with time zone), which stores an instant",
     "CREATE TABLE visits (id bigint PRIMARY KEY, at timestamp);",
     "CREATE TABLE visits (id bigint PRIMARY KEY, at timestamptz);"},
    {kPreferTextField, "prefer-text-field", kInfo, "a varchar(n) or char(n) column",
     "checks the length limit on every write, and raising it is a schema change; text and "
     "varchar are stored the same way",
     "text, with a CHECK (length(col) <= n) constraint when the limit matters (added NOT VALID, "
     "it can change without a rewrite)",
     "CREATE TABLE tags (id bigint PRIMARY KEY, name varchar(40));",
     "CREATE TABLE tags (id bigint PRIMARY KEY, name text);"},
    // Statements that do not parse, and the linter's own limits.
    {kSyntaxError, "syntax-error", kError, "a statement PostgreSQL's grammar rejects",
     "refuses the statement (ERROR 42601) and, in a transaction, the whole migration",
     "correct the statement; pgstack migrate validate checks it on the server too",
     "ALTER TABLE orders ADD COLUM note text;", "ALTER TABLE orders ADD COLUMN note text;"},
    {kNotParsed, "not-parsed", kInfo,
     "a statement that uses syntax newer than the linter's grammar",
     "accepts syntax that libpg_query (PostgreSQL's own grammar as of version 15, which the "
     "linter uses) does not know: a statement that uses syntax PostgreSQL 16 or 17 added "
     "(SQL/JSON, "
     "JSON_TABLE, MERGE ... RETURNING, SET EXPRESSION, ...) is checked by no rule",
     "check the statement by hand (pgstack migrate validate checks the syntax on the server; "
     "lint --trace shows what it locks)",
     "ALTER TABLE orders ALTER COLUMN total SET EXPRESSION AS (price * quantity);", "SELECT 1;"},
    {kLintIgnoreUnknownRule, "lint-ignore-unknown-rule", kError,
     "a lint-ignore comment that names no rule",
     "runs the statement as it would without the comment, and the linter reports what the "
     "comment meant to silence: a rule id that is mistyped, or no longer exists, silences nothing",
     "name the rule as pgstack migrate lint --rules lists it (the finding says the nearest one)",
     "-- pgstack:lint-ignore droping-table the table is empty everywhere\nDROP TABLE legacy;",
     "-- pgstack:lint-ignore dropping-table the table is empty everywhere\nDROP TABLE legacy;"},
    {kTraceTableRewrite, "trace-table-rewrite", kWarning,
     "--trace saw a statement rewrite an existing table that no static rule flagged",
     "rewrote the table (its relfilenode changed) under an ACCESS EXCLUSIVE lock",
     "see the statement's own rule; usually a new column plus a backfill in batches",
     "ALTER TABLE orders ALTER COLUMN code TYPE text;  -- code was integer", "", true},
};

// Row i is LintRuleId i, so that LintRuleOf indexes; and no two rows share an id.
constexpr bool RowsFollowTheEnum() {
  for (size_t i = 0; i < std::size(kRules); ++i) {
    if (kRules[i].key != static_cast<LintRuleId>(i)) return false;
  }
  return std::size(kRules) == static_cast<size_t>(kTraceTableRewrite) + 1;
}
static_assert(RowsFollowTheEnum(), "kRules must have one row per LintRuleId, in its order");
constexpr bool IdsAreUnique() {
  for (size_t i = 0; i < std::size(kRules); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (kRules[i].id == kRules[j].id) return false;
    }
  }
  return true;
}
static_assert(IdsAreUnique(), "two rows of kRules share an id");

}  // namespace

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "?";
}

std::optional<Severity> ParseSeverity(std::string_view name) {
  for (Severity s : {Severity::kInfo, Severity::kWarning, Severity::kError}) {
    if (SeverityName(s) == name) return s;
  }
  return std::nullopt;
}

std::span<const LintRule> LintRules() { return kRules; }

const LintRule& LintRuleOf(LintRuleId key) { return kRules[static_cast<size_t>(key)]; }

const LintRule* FindLintRule(std::string_view id) {
  auto it = std::find_if(std::begin(kRules), std::end(kRules),
                         [&](const LintRule& r) { return r.id == id; });
  return it == std::end(kRules) ? nullptr : &*it;
}

Result<LintRuleId> ParseLintRuleId(std::string_view id) {
  if (const LintRule* r = FindLintRule(id)) return r->key;
  std::vector<std::string> ids;
  for (const LintRule& r : kRules) ids.emplace_back(r.id);
  std::string nearest = core::Nearest(id, ids);
  return Status::InvalidInput(
      fmt::format("unknown lint rule '{}' ({}pgstack migrate lint --rules lists them)", id,
                  nearest.empty() ? "" : "did you mean '" + nearest + "'?; "));
}

std::optional<Severity> LintReport::Worst() const {
  std::optional<Severity> worst;
  for (const Finding& f : findings) {
    if (!worst || f.severity > *worst) worst = f.severity;
  }
  return worst;
}

}  // namespace pgstack::migrate
