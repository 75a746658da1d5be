// `pgstack migrate dump`: a schema written as plain DDL, in dependency order, with no data. The
// same schema always gives the same bytes (no dates, no oids; owners only with --owners), and what
// it writes reads back through `migrate diff --to` (or `psql -f`) as the same schema.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "pgstack/core/status.h"
#include "pgstack/migrate/catalog.h"

namespace pgstack::migrate {

// The whole schema as one script.
std::string DumpSql(const Catalog& c);

// One script per schema, named "NN-<schema>.sql" so that file-name order is a valid load order
// (a folder source reads its files in that order): a schema whose objects need another's comes
// after it. Where schemas need each other both ways, an object that needs one of a later file
// goes, with whatever then needs it, to a last file, "NN-cross-schema.sql". Schema names are made
// safe for a file name (a '/' or a leading '.' becomes '_').
std::map<std::string, std::string> DumpFiles(const Catalog& c);

// DumpSql cut for a load over `lanes` connections at once: waves that run one after the other,
// each a script per lane that the lanes run at the same time. Only tables, constraints and
// indexes spread over the lanes, the objects whose cost is the server making files; such a wave
// ends before an object that needs one of its own. A table keeps to one lane with its
// constraints, its indexes and its whole inheritance tree, so that two lanes never lock the same
// table. The objects between (schemas, types, functions, views, ...) are waves of one lane. Each
// lane's script keeps DumpSql's order, and DumpSql's header settings are the loader's to make.
struct DumpWave {
  std::vector<std::string> lanes;  // a script per lane; "" for a lane with nothing to do
};
std::vector<DumpWave> DumpWaves(const Catalog& c, size_t lanes);

// Writes DumpSql to PATH when it ends in ".sql", else DumpFiles into the folder PATH (made when
// missing; an existing folder must hold no .sql file other than what a dump writes). Each file
// is written atomically, mode 0644. Once interrupted (core/interrupt.h) it writes nothing.
Status WriteDump(const Catalog& c, const std::string& path);

}  // namespace pgstack::migrate
