// The local PostgreSQL cluster: initdb, the files pgstack owns in the data directory (settings
// pulled in with include_dir, pg_hba and pg_ident), and pg_ctl. Run as the service user.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "initdb_recipe.h"
#include "internal.h"

namespace pgstack::stack {

class Cluster {
 public:
  Cluster(const StatePaths& paths, const std::string& bin_dir, const core::OsUser& service,
          core::ProcessRunner& runner)
      : paths_(paths), bin_(bin_dir), service_(service), runner_(runner) {}

  bool Initialized() const;
  // initdb as the recipe says (UTF8, peer on the socket, SCRAM over TCP), then one include_dir
  // line appended to postgresql.conf (backed up first): every later setting goes to
  // conf.d/pgstack.conf; then the recipe's seed database, if any. sync=false leaves flushing to
  // the caller (initdb --no-sync); a seed is written without fsync, so give it only then.
  Status Init(const InitdbRecipe& recipe, bool sync = true);
  // The same cluster in another folder (dir.init until whole), which the service user must be
  // able to write in. Safe beside another Init on another thread.
  Status InitInto(const std::string& dir, const InitdbRecipe& recipe, bool sync = true) const;
  // Renders pgstack.conf, pg_hba and pg_ident; returns the names of files that changed.
  // sync=false: no fsync each, for a new data directory whose flush comes after.
  Result<std::vector<std::string>> WriteConfig(const core::Environment& env, int port,
                                               const std::string& invoking_user, bool sync = true);
  // Asks PostgreSQL itself (postgres -C) whether it would start with the files as they are now:
  // kInvalidInput with the server's reason when a value is out of its range or unknown to it.
  Status CheckConfig();
  // Waits for a server that is shutting down to be gone, so that Running() says what will be.
  Status WaitIfStopping();
  bool Running() const;
  // True when postgresql.auto.conf, read here, holds no setting: ALTER SYSTEM overrides nothing,
  // and the server need not be asked (pg_file_settings costs a fresh backend a parse of every
  // configuration file and its first catalog lookups, much of a warm `up`). False when it holds
  // one or cannot be read.
  bool AlterSystemEmpty() const;
  // Starts the postmaster and waits (up to a minute) until it accepts connections; an error
  // names the log when it does not.
  Status Start();
  Status Stop();
  Status Restart();

  // The superuser is the service user's name: peer authentication maps it (and the user who
  // runs pgstack) to it on the socket.
  const std::string& superuser() const { return service_.name; }
  const StatePaths& paths() const { return paths_; }
  const std::string& bin_dir() const { return bin_; }
  const core::OsUser& service() const { return service_; }
  core::ProcessRunner& runner() const { return runner_; }

 private:
  Status PgCtl(std::vector<std::string> args, const std::string& what);
  // Waits until the postmaster `pid` says in postmaster.pid that it is ready; log_from: the
  // size of the log before it started.
  Status AwaitReady(pid_t pid, uint64_t log_from);
  // What a failed start said in the log past offset `from` (LastWords), after ": "; "" when it
  // wrote nothing.
  std::string LogSince(uint64_t from) const;
  const StatePaths& paths_;
  std::string bin_;
  core::OsUser service_;
  core::ProcessRunner& runner_;
};

// The contents of conf.d/pgstack.conf, pg_hba and pg_ident for env (pure, for unit tests).
std::string RenderPgConf(const core::Environment& env, const StatePaths& paths, int port);
std::string RenderHba(const core::Environment& env, const std::string& superuser);
std::string RenderIdent(const std::string& superuser, const std::string& service_user,
                        const std::string& invoking_user);

}  // namespace pgstack::stack
