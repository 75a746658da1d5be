// `pgstack migrate drift`: builds, in a scratch database, the schema the applied migrations
// produce and compares it with the live database: tables, columns (type, default, nullability),
// constraints, indexes, views, functions, triggers, sequences, extensions and enum values.
// pgstack's own schema is ignored. The scratch database is always dropped; the live database is
// only read.
#pragma once

#include <string>
#include <vector>

#include "pgstack/core/status.h"
#include "pgstack/migrate/migration.h"
#include "pgstack/migrate/runner.h"
#include "pgstack/migrate/trace.h"
#include "pgstack/pg/conn_params.h"

namespace pgstack::migrate {

struct Difference {
  std::string kind;    // "table", "column", "constraint", "index", ...
  std::string object;  // schema-qualified name ("public.items.qty")
  std::string change;  // "missing" (migrations have it, live does not), "extra", "changed"
  std::string expected;
  std::string actual;
};

Result<std::vector<Difference>> Drift(const ScratchOptions& where,
                                      const std::vector<const Migration*>& applied);

struct DriftReport {
  std::vector<Difference> differences;
  size_t applied = 0;  // migrations replayed
};

// Reads o.dir and the history (on o.conn), then Drift() over the applied migrations. An applied
// migration whose file is gone is kCheckFailed: the expected schema cannot be built.
Result<DriftReport> DriftOfDir(const Options& o, const ScratchOptions& where);

nlohmann::json DriftJson(const std::vector<Difference>& differences);

}  // namespace pgstack::migrate
