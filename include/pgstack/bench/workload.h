// The statements `bench pool` runs, and the tables they need. Each built-in workload creates its
// tables in the schema the caller names, a ScratchSchema of the run's own (scratch_schema.h):
// dropping that schema at the end, also after a failure, is what leaves the database as it was.
#pragma once

#include <string>
#include <vector>

#include "pgstack/bench/options.h"
#include "pgstack/bench/script.h"
#include "pgstack/core/status.h"

namespace pgstack::bench {

inline constexpr long long kAccountRows = 100000;  // pgbench's scale 1
inline constexpr long long kJsonbWorkloadRows = 20000;

struct Workload {
  WorkloadKind kind = WorkloadKind::kSelect;
  std::string description;         // one line for the report
  std::vector<std::string> setup;  // run once, directly, before the first point
  Script script;                   // one transaction
};

// schema is the quoted name of the schema the workload may create (unused by --sql).
Result<Workload> MakeWorkload(WorkloadKind kind, const std::string& sql, const std::string& schema);

}  // namespace pgstack::bench
