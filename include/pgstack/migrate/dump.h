// `pgstack migrate dump`: a schema written as plain DDL, in dependency order, with no data. The
// same schema always gives the same bytes (no dates, no oids; owners only with --owners), and what
// it writes reads back through `migrate diff --to` (or `psql -f`) as the same schema.
#pragma once

#include <map>
#include <string>

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

// Writes DumpSql to PATH when it ends in ".sql", else DumpFiles into the folder PATH (made when
// missing; an existing folder must hold no .sql file other than what a dump writes). Each file
// is written atomically, mode 0644.
Status WriteDump(const Catalog& c, const std::string& path);

}  // namespace pgstack::migrate
