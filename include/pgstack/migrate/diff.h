// `pgstack migrate diff`: the plan from one schema to another, proven before it is shown. The
// `from` schema is loaded into a scratch database (from its dump), the plan run there, and the
// result compared with `to` again: a plan that does not arrive is an error (exit 1), never a
// plan. The plan must also pass migrate lint with no error that is not one of its hazards.
#pragma once

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "pgstack/core/status.h"
#include "pgstack/migrate/hazard.h"
#include "pgstack/migrate/schema_plan.h"
#include "pgstack/migrate/schema_source.h"
#include "pgstack/pg/connection.h"

namespace pgstack::migrate {

struct DiffRequest {
  SchemaSource from;
  SchemaSource to;
  SourceOptions source;  // the scratch server, the migrations directory, the schema filter
  // --rename KIND:OLD=NEW (table, column, index, constraint, view): run before the plan, so
  // that the object is renamed instead of dropped and created.
  std::vector<std::string> renames;
  std::map<std::string, std::string> using_exprs;  // --using TABLE.COLUMN=EXPR
};

struct DiffResult {
  SchemaPlan plan;
  Catalog from;  // as read (before renames): --apply refuses a schema changed since
  Catalog to;
};

// Reads both sources, plans, and proves the plan (see above). Bad input (a source, a rename, a
// --using) is kInvalidInput; a plan that does not arrive, or that lint rejects, is kFailure
// listing what is left.
Result<DiffResult> PlanDiff(const DiffRequest& r);

// Runs a plan group by group: each transactional group in one transaction, each other
// statement alone, every statement under t's timeouts (no timeouts when t is null). An error
// names the statement.
Status RunPlan(pg::Connection& conn, const SchemaPlan& plan, const PlanTimeouts* t);

// The refused hazards of a plan: those whose kind is refused and not in `allowed`.
std::vector<Hazard> RefusedHazards(const SchemaPlan& plan, const std::set<HazardKind>& allowed);

}  // namespace pgstack::migrate
