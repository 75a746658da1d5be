// Runs migrations' SQL (up or down) on the runner's connection, with their history rows:
//  - in a transaction: every statement and the history change in one simple-query string, so a
//    migration commits with its history row or not at all. Up to 100 such migrations go in one
//    string of BEGIN ... COMMIT blocks: one round trip for all, still one transaction each; the
//    server stops at the first error, those before it stay committed, and the run (or a retry
//    after a lock timeout) continues from the one that failed;
//  - statement by statement (when a statement cannot run in a transaction, or the file says
//    so): each statement, with its progress in the history row, in a transaction of its own
//    when it can run in one, bare when it cannot; a rerun resumes at the first statement not
//    recorded, and an index left invalid by a failed concurrent build is dropped and rebuilt.
// A transaction that does not end committed (its text ended inside it) is an error, never
// "applied". An interrupt cancels the statement in flight and stops before the next migration.
// Every transaction first asserts the runner's lease (pgstack.hold_lease) and sets only LOCAL
// settings: lock_timeout (retried with backoff on 55P03), statement_timeout when asked,
// client_connection_check_interval (so that the server ends the work of a runner that died,
// within about a second, directly and through PgBouncer), and synchronous_commit = off, which
// is safe because each transaction carries its own history row (a crash loses both or neither)
// and Lease::Release() ends the run with a synchronous commit. The settings a migration's SQL
// changes (even session ones, and its role) last until the end of its transaction, no further.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pgstack/core/interrupt.h"
#include "pgstack/core/status.h"
#include "pgstack/migrate/history.h"
#include "pgstack/migrate/migration.h"
#include "pgstack/pg/connection.h"

namespace pgstack::migrate::internal {

class SqlBuffer;

// Statements of our own, in order, each without its ';' (SqlBuffer::Append takes them one by one).
using OwnSql = std::vector<std::string>;

struct ExecSettings {
  std::string history_table;  // HistoryTable::table
  std::string lease_table;    // HistoryTable::lease_table: the row hold_lease() stamps
  std::string holder;         // the lease holder id
  int lease_ms = 10000;
  int lock_timeout_ms = 5000;
  std::optional<int> statement_timeout_ms;
  int retries = 5;  // attempts after a lock timeout or deadlock
  int backoff_ms = 500;
  std::string applied_by;
  // Told about each retry: what is retried and the error.
  std::function<void(const std::string&)> on_retry;
  // Checked before each migration or batch (is the lease still ours?).
  std::function<Status()> before_each;
};

// A migration to apply, with the history row of a run of it that stopped half way.
struct UpItem {
  const Migration* migration;
  const HistoryRow* partial;
};

class Executor {
 public:
  Executor(pg::Connection& conn, ExecSettings s) : conn_(conn), s_(std::move(s)) {}

  // Applies items in order; transactional ones many to a round trip (each its own transaction
  // with its history row). on_applied(index, ms) is told about each as it commits.
  Status UpAll(const std::vector<UpItem>& items,
               const std::function<void(size_t index, int ms)>& on_applied);
  // Applies m's up SQL; `partial` is the history row of an earlier run that stopped half way.
  Status Up(const Migration& m, const HistoryRow* partial);
  // Reverts m (applied, with history row `row`) with its down SQL.
  Status Down(const Migration& m, const HistoryRow& row);

 private:
  // One transaction: statements [first, last) of t, then `tail` (history SQL), committed.
  Status Transaction(const SqlText& t, const FileOptions& o, size_t first, size_t last,
                     const std::string& tail);
  // Transaction() for statements with a COPY FROM STDIN among them.
  Status CopyTransaction(const SqlText& t, const FileOptions& o, size_t first, size_t last,
                         const std::string& tail);
  // Statements from `start` on, each with its progress (progress(i, bare_ms) gives the SQL
  // recording that statement i is done).
  Status Statements(const SqlText& t, const FileOptions& o, int start, bool resuming,
                    const std::function<std::string(int i, int bare_ms)>& progress);
  // Runs step until it succeeds, retrying lock timeouts and deadlocks with backoff.
  Status WithRetries(const std::string& what, const std::function<Status(int attempt)>& step);
  // Before a CREATE INDEX CONCURRENTLY that may have run before: drops the index when a failed
  // build left it invalid; returns true when it exists and is valid (the statement is done).
  Result<bool> PrepareConcurrentIndex(const Statement& st);
  Status CopyIn(const SqlText& t, const Statement& st);
  // What every transaction runs first: the lease check, its start noted, and the LOCAL settings.
  OwnSql Settings(const FileOptions& o);
  // BEGIN and Settings.
  OwnSql Head(const FileOptions& o);
  // SQL for the ms since this transaction's Head, as the server sees it; `settings_changed`:
  // whether the transaction's statements change settings (Statement::changes_settings).
  std::string ElapsedSql(bool settings_changed);
  // What every transaction runs last before COMMIT: the session restored where its statements
  // changed it, and `tail`.
  OwnSql Closing(const SqlText& t, size_t first, size_t last, const std::string& tail);
  void AppendTransaction(SqlBuffer& buf, const SqlText& t, const FileOptions& o, size_t first,
                         size_t last, const std::string& tail);
  std::string HistoryInsert(const Migration& m);
  static bool Batchable(const Migration& m, const HistoryRow* partial);
  // Items [first, last) in one string; *done says how many committed.
  Status UpBatch(const std::vector<UpItem>& items, size_t first, size_t last,
                 const std::function<void(size_t, int)>& on_applied, size_t* done);
  // Sends migration SQL so that an interrupt (core/interrupt.h) cancels it on the server; does
  // not start it once interrupted. History bookkeeping goes through conn_ directly: a cancel
  // must never fall between a bare statement and the row that records it.
  Result<pg::QueryResult> Send(std::string_view sql);
  // The same for a buffer of statements, answered statement by statement, so that an error
  // without a position is still located at its statement (SqlBuffer::Locate).
  pg::ScriptResult SendScript(const SqlBuffer& buf);
  Status Run(const SqlBuffer& buf, const std::string& fallback);
  Status SendCopy(std::string_view copy_sql, std::string_view data);
  // While the result lives, an interrupt cancels what conn_ runs. The cancel handle is made
  // here, once, on the connection's thread: the hook runs on the interrupt thread, which must
  // not touch conn_.
  core::InterruptHook CancelOnInterrupt();
  void CancelInFlight();
  void Rollback();
  std::string Lit(std::string_view s) { return conn_.QuoteLiteral(s); }

  pg::Connection& conn_;
  ExecSettings s_;
  std::optional<pg::CancelHandle> cancel_;  // made on first use, on this thread
};

}  // namespace pgstack::migrate::internal
