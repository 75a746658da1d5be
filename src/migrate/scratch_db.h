// A scratch database for trace and drift: created on the server of the target (empty, or as a
// copy of a template), dropped when done, always, even on error paths (the destructor drops it
// when Drop() was not called).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "pgstack/core/status.h"
#include "pgstack/migrate/migration.h"
#include "pgstack/migrate/trace.h"
#include "pgstack/pg/connection.h"

namespace pgstack::migrate::internal {

class ScratchDb {
 public:
  // CREATE DATABASE pgstack_scratch_<host>_<pid>_<n> [TEMPLATE template_db], after dropping the
  // scratch databases of this machine's runs that were killed. A template in use by other
  // sessions fails with SQLSTATE 55006.
  static Result<ScratchDb> Create(const ScratchOptions& o, const std::string& template_db = "");
  ScratchDb(ScratchDb&& other) noexcept;
  ScratchDb& operator=(ScratchDb&& other) noexcept;  // drops the one it held
  ~ScratchDb();

  const std::string& name() const { return name_; }
  // A superuser connection to the scratch database.
  Result<pg::Connection> Connect() const;
  // Drops it (WITH (FORCE): a connection left open cannot keep it alive).
  Status Drop();

 private:
  ScratchDb(pg::ConnParams admin, std::string name)
      : admin_(std::move(admin)), name_(std::move(name)) {}
  pg::ConnParams admin_;
  std::string name_;  // empty once dropped
};

// Observes one statement of RunUpSql: gets the statement and the function that runs it, and
// must call that function once (a transaction is open around it unless the statement runs bare).
using AroundStatement = std::function<Status(const SqlText& text, const Statement& st,
                                             const std::function<Status()>& run)>;

// The error of statement st with the place it names: "file:line:column: message", from the
// server's error position inside the statement (its start when there is none). A syntax error
// is kInvalidInput.
Status LocateInStatement(const SqlText& t, const Statement& st, const Status& s);

// Runs m's up SQL as pgstack's runner does (one transaction, or statement by statement, bare
// where a statement cannot be in a transaction), without history, lease or retries. COPY ...
// FROM STDIN statements are skipped: data, not schema. Errors read "file:line:column: ...".
Status RunUpSql(pg::Connection& conn, const Migration& m, const AroundStatement& around = {});

// Creates the configured extensions (as pgstack up does in the live database).
Status CreateExtensions(pg::Connection& conn, const std::vector<std::string>& extensions);

}  // namespace pgstack::migrate::internal
