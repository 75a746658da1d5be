// What `migrate diff` does with a proven plan besides printing it: `--write` turns it into new
// migrations of the directory's own format, each with a down that is the reverse diff (proven
// too); `--apply` runs it on the --from database.
#pragma once

#include <string>
#include <vector>

#include "pgstack/migrate/diff.h"

namespace pgstack::migrate {

// Writes the plan as migrations of r.source.dir, one per transaction group of the plan (a
// statement that runs outside a transaction is a migration of its own, as every format's tool
// can run it alone), and returns the paths written. The down of each is the plan from the
// schema after it back to the schema before it; all downs, run in reverse, must return the
// schema to `from` exactly (else kFailure, nothing written). A down's hazards are comments in it.
Result<std::vector<std::string>> WriteDiffMigrations(const DiffRequest& r, const DiffResult& d,
                                                     const std::string& name);

// Runs the plan on the --from database (a URL) under t, after checking that its schema is still
// the one planned from (kCheckFailed, nothing run, when it changed).
Status ApplyDiff(const DiffRequest& r, const DiffResult& d, const PlanTimeouts& t);

}  // namespace pgstack::migrate
