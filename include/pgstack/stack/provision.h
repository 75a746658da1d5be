// Creating or updating the application's role, database, grants and extensions on a server,
// local or external, through an administrator connection. Idempotent: what is already right is
// left alone, so a second run changes nothing and says so.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "pgstack/core/config.h"
#include "pgstack/core/status.h"
#include "pgstack/pg/connection.h"
#include "pgstack/stack/action.h"

namespace pgstack::stack {

struct ProvisionResult {
  std::vector<Action> actions;          // what changed, for the report
  std::vector<std::string> statements;  // SQL run (or, in a dry run, to run); secrets redacted
  std::string verifier;                 // the role's SCRAM verifier as the server stores it
};

struct ProvisionOptions {
  bool dry_run = false;  // only plan: statements are listed, nothing runs
  // When the role's password has to be set: this verifier, if it is one of cfg.password, instead
  // of a new one (a new salt each time). External mode passes the one a dry run planned, or the
  // one PgBouncer's userlist holds, so that server and userlist stay byte-identical.
  std::string verifier;
  // A file that remembers the verifier last seen to match cfg.password (see verifier_memo.h), so
  // that a role found as it was left is checked without PBKDF2. Empty: always the slow check.
  std::string verifier_memo;
  // A database of the cluster to take, when cfg.database is missing, instead of creating one:
  // renamed to cfg.database and given to cfg.user in one transaction (a local stack's seed, made
  // with cfg.extensions). Empty: none.
  std::string seed;
};

// admin is a superuser (or CREATEROLE + CREATEDB) connection to any database; open_db opens an
// administrator connection to the named database (for grants on its schema and extensions).
// cfg.password must be set: only its SCRAM verifier, computed here, reaches the server.
Result<ProvisionResult> Provision(
    pg::Connection& admin, const std::function<Result<pg::Connection>(const std::string&)>& open_db,
    const core::PostgresConfig& cfg, const ProvisionOptions& opts = {});

}  // namespace pgstack::stack
