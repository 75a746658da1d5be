// `pgstack up` for a server pgstack does not own ("external" mode): a system PostgreSQL 17 and
// PgBouncer, set up the way a careful DBA would. Everything is checked before anything is
// written, so bad input (no administrator URL, missing privileges, a server that is not 17.x, a
// configuration folder of another server, an unwritable PgBouncer folder) changes nothing.
// Then, in this order: role, database, grants and extensions (Provision); server settings, in
// pgstack's own file in the server's configuration folder when pgstack may write there, else
// ALTER SYSTEM, then pg_reload_conf(); PgBouncer's pgbouncer.ini and userlist.txt, each replaced
// file backed up first, then PgBouncer's RELOAD when it runs. Idempotent: a second run changes
// nothing and says so. The administrator's URL is read from the environment only; it is never
// stored and never reported unredacted.
#pragma once

#include <string>
#include <vector>

#include "pgstack/core/config.h"
#include "pgstack/core/process.h"
#include "pgstack/core/status.h"
#include "pgstack/stack/action.h"

namespace pgstack::stack {

struct ExternalOptions {
  // Plan only: report every SQL statement (redacted) and a unified diff of every file, and
  // change nothing, neither files nor catalog.
  bool dry_run = false;
  // Restart PostgreSQL when a restart-only setting changed, where pgstack can (a Debian
  // cluster with pg_ctlcluster, or systemd). Without it a needed restart is only reported.
  bool restart = false;
  // The server's configuration folder (Debian: conf.d beside postgresql.conf, pulled in by its
  // include_dir). pgstack writes pgstack.conf there only when the server reads that folder and
  // it is writable; otherwise settings go through ALTER SYSTEM. A folder beside another
  // server's postgresql.conf is refused.
  std::string pg_conf_dir = "/etc/postgresql/17/main/conf.d";
  // Where PgBouncer's pgbouncer.ini and userlist.txt live; must exist and be writable.
  std::string pgbouncer_dir = "/etc/pgbouncer";
};

struct ExternalReport {
  bool dry_run = false;
  std::string server;        // the administrator's URL, password redacted
  std::string pg_version;    // server_version, e.g. "17.10"
  std::string settings_via;  // "<conf dir>/pgstack.conf" or "ALTER SYSTEM"
  // What changed, in order (in a dry run: what would change); empty when nothing did.
  std::vector<Action> actions;
  // Every SQL statement run (or, in a dry run, to run); passwords and verifiers redacted.
  std::vector<std::string> statements;
  // Dry run: a unified diff per file that would change (SCRAM keys redacted).
  std::vector<std::string> diffs;
  std::vector<std::string> backups;  // copies made of replaced files
  // PostgreSQL settings whose new value waits for a server restart (after this run).
  std::vector<std::string> restart_pending;
  std::string restart_hint;  // how to apply them: --restart, or the command to run
  // What the operator should know or do next (how to start PgBouncer, why ALTER SYSTEM, ...).
  std::vector<std::string> notes;
};

// Errors: kInvalidInput for the bad inputs above (nothing written), kFailure for a failure
// while applying (reported with what had already been done in the message).
Result<ExternalReport> UpExternal(const core::Environment& env, const ExternalOptions& opts,
                                  const core::EnvLookup& lookup = core::ProcessEnv(),
                                  core::ProcessRunner& runner = core::SystemProcessRunner());

}  // namespace pgstack::stack
