// The plan of `migrate diff`: the statements that take one catalog to another, ordered by the
// server's dependencies, online-safe on every table that exists before the plan (docs/
// migrations.md, "Declarative schema"). Planning only reads the two catalogs; what the server
// must answer (whether a cast exists) comes in through SchemaPlanOptions.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "pgstack/migrate/catalog.h"
#include "pgstack/migrate/hazard.h"

namespace pgstack::migrate {

struct PlanStatement {
  std::string sql;  // one statement, ending with ';'
  // false: runs alone, outside any transaction (CREATE INDEX CONCURRENTLY, ...).
  bool transaction = true;
  // Starts a new transaction: what comes before must be committed first (a VALIDATE after its
  // NOT VALID constraint, the use of an enum value after ADD VALUE).
  bool commit_before = false;
  // A build, a validation or a rewrite: it gets the long statement_timeout, not the short one
  // for catalog-only DDL.
  bool long_running = false;
  std::vector<Hazard> hazards;
};

struct SchemaPlan {
  std::vector<PlanStatement> statements;

  bool empty() const { return statements.empty(); }
  // Every hazard of every statement, in plan order.
  std::vector<Hazard> hazards() const;
};

struct SchemaPlanOptions {
  // Whether `expr::to` works for a value of type `from` (types as format_type prints them).
  // Unset: every cast is taken to exist.
  std::function<bool(const std::string& from, const std::string& to)> can_cast;
  // --using TABLE.COLUMN=EXPR: the USING expression of a column's type change, by
  // "schema.table.column" as the catalog quotes them.
  std::map<std::string, std::string> using_exprs;
};

// The statement timeouts of a plan: lock_timeout on every statement; statement_timeout short
// for catalog-only DDL and long for builds, validations and rewrites (0: none).
struct PlanTimeouts {
  int lock_ms = 5000;
  int ddl_ms = 60'000;
  int build_ms = 0;
};

// Runs of statements that share a transaction, or one statement run alone outside any: as few
// as the plan's non-transactional statements and commit points allow.
struct PlanGroup {
  bool transaction = true;
  std::vector<const PlanStatement*> statements;
};
std::vector<PlanGroup> GroupPlan(const SchemaPlan& plan);

// What a session runs before a plan (PlanScript prints it first; RunPlan runs it).
extern const std::string_view kPreamble;

// The plan as a script that `psql -v ON_ERROR_STOP=1 -f` runs as printed: each group in
// BEGIN; ... COMMIT; or alone, every statement under its timeouts, each hazard as
// "-- hazard KIND: message" above its statement. "" for an empty plan.
std::string PlanScript(const SchemaPlan& plan, const PlanTimeouts& t);

// The statements that make a database whose catalog is `from` have the catalog `to`.
SchemaPlan PlanChanges(const Catalog& from, const Catalog& to, const SchemaPlanOptions& o = {});

// What still differs between two catalogs, one line per object ("table public.orders: column
// note"), empty when they are the same as diff compares them.
std::vector<std::string> Differences(const Catalog& a, const Catalog& b);

}  // namespace pgstack::migrate
