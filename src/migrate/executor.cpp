#include "executor.h"

#include <fmt/format.h>

#include <chrono>
#include <unordered_map>

#include "pgstack/core/elapsed.h"
#include "pgstack/core/interrupt.h"
#include "pgstack/core/wait.h"
#include "pgstack/pg/error_class.h"
#include "pgstack/pg/transaction.h"
#include "sql_buffer.h"

namespace pgstack::migrate::internal {
namespace {

using Clock = std::chrono::steady_clock;

// How often the server checks, while it runs the runner's SQL, that the runner is still there
// (client_connection_check_interval): a runner killed with SIGKILL cannot cancel, and without
// the check the statement in flight, its locks and the rest of a batch run on to their end.
constexpr int kClientCheckMs = 1000;

// A transaction whose statements change settings (SET, RESET, set_config(), even LOCAL ones) ends
// by putting the session's own back: a session setting would outlive the transaction on a pooled
// server connection (the next migration's, or another client's), and the history row is written
// as the runner's role. RESET ALL leaves the role and session authorization alone, and undoes
// this transaction's SET LOCALs: synchronous_commit is set again.
constexpr std::string_view kRestoreSession[] = {"RESET ALL", "RESET SESSION AUTHORIZATION",
                                                "RESET ROLE", "SET LOCAL synchronous_commit = off"};

// The transaction-local setting in which Settings() notes when the transaction began.
constexpr std::string_view kStartedAt = "pgstack.started_at";

// Whether statements [first, last) of t change settings (so the session is restored after them).
bool ChangesSettings(const SqlText& t, size_t first, size_t last) {
  for (size_t i = first; i < last; ++i) {
    if (t.statements[i].changes_settings) return true;
  }
  return false;
}

std::string Joined(const OwnSql& statements) {
  std::string out;
  for (const auto& st : statements) out += st + ";\n";
  return out;
}

Status NotCommitted(const std::string& where) {
  return Status::Failure(where +
                         ": the migration's transaction did not commit (its SQL ends inside an "
                         "open transaction block); rolled back, nothing recorded");
}

// An identifier as the catalog stores it: quotes removed, or folded to lower case.
std::string CatalogName(const std::string& written) {
  if (written.size() >= 2 && written.front() == '"') {
    std::string out;
    for (size_t i = 1; i + 1 < written.size(); ++i) {
      out += written[i];
      if (written[i] == '"') ++i;
    }
    return out;
  }
  std::string out = written;
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

std::string Executor::ElapsedSql(bool settings_changed) {
  // Not now(): in a string of several transactions (a batch) now() is when the string arrived,
  // for every one of them. Settings() noted the transaction's start in a LOCAL setting, which
  // reads cheaply; but a transaction whose statements change settings may have reset it (RESET
  // ALL, its own and kRestoreSession's). Then the lease says it: hold_lease() set the lease's
  // expiry to its clock_timestamp() + lease_ms, and the lease row stays locked by this
  // transaction until it ends (the heartbeat's renewal waits), so the expiry carries the
  // transaction's start where no SET, RESET or set_config() reaches it. Reading that row costs
  // the server a third of what a tiny migration's transaction costs it (a plan, and a walk past
  // the row versions each hold_lease() left): the setting is read wherever it is safe.
  // (A function of the migration's that resets every setting is not seen from its text: that
  // time reads 0 rather than failing the migration.)
  if (!settings_changed) {
    return fmt::format(
        "coalesce((extract(epoch FROM clock_timestamp() - nullif(current_setting('{}', true), "
        "'')::timestamptz) * 1000)::int, 0)",
        kStartedAt);
  }
  return fmt::format(
      "({} - extract(epoch FROM (SELECT expires_at FROM {} WHERE holder = {}) - "
      "clock_timestamp()) * 1000)::int",
      s_.lease_ms, s_.lease_table, Lit(s_.holder));
}

OwnSql Executor::Settings(const FileOptions& o) {
  OwnSql out = {
      fmt::format("SET LOCAL lock_timeout = '{}ms'",
                  o.lock_timeout_ms.value_or(s_.lock_timeout_ms)),
      fmt::format("SET LOCAL client_connection_check_interval = '{}ms'", kClientCheckMs),
      fmt::format("SELECT pgstack.hold_lease({}, {}), set_config('{}', clock_timestamp()::text, "
                  "true)",
                  Lit(s_.holder), s_.lease_ms, kStartedAt)};
  if (auto st = o.statement_timeout_ms ? o.statement_timeout_ms : s_.statement_timeout_ms) {
    out.push_back(fmt::format("SET LOCAL statement_timeout = '{}ms'", *st));
  }
  out.push_back("SET LOCAL synchronous_commit = off");
  return out;
}

// Head and Closing are text, not a pg::Transaction: a batch sends many transactions, BEGIN to
// COMMIT each, in one simple-query string, so that up to 100 migrations cost one round trip
// (executor.h).
OwnSql Executor::Head(const FileOptions& o) {
  OwnSql out = {"BEGIN"};
  for (auto& st : Settings(o)) out.push_back(std::move(st));
  return out;
}

Result<pg::QueryResult> Executor::Send(std::string_view sql) {
  PGSTACK_RETURN_IF_ERROR(core::CheckInterrupt());
  core::InterruptHook hook = CancelOnInterrupt();
  return conn_.Exec(sql);
}

pg::ScriptResult Executor::SendScript(const SqlBuffer& buf) {
  if (Status s = core::CheckInterrupt(); !s.ok()) return {.results = {}, .error = s};
  core::InterruptHook hook = CancelOnInterrupt();
  return conn_.ExecScript(buf.str());
}

Status Executor::Run(const SqlBuffer& buf, const std::string& fallback) {
  pg::ScriptResult r = SendScript(buf);
  return buf.Locate(r.error, fallback, r.results.size());
}

Status Executor::SendCopy(std::string_view copy_sql, std::string_view data) {
  PGSTACK_RETURN_IF_ERROR(core::CheckInterrupt());
  core::InterruptHook hook = CancelOnInterrupt();
  return conn_.CopyIn(copy_sql, data).status();
}

core::InterruptHook Executor::CancelOnInterrupt() {
  if (!cancel_) {
    auto h = conn_.cancel_handle();
    if (h.ok()) cancel_.emplace(std::move(h).value());
  }
  return core::InterruptHook([this] { CancelInFlight(); });
}

void Executor::CancelInFlight() {
  if (cancel_) (void)cancel_->Cancel();
}

// Ends the transaction a failed Head ... COMMIT text left open (the server stops at the error,
// before the COMMIT, or the text ended inside a block): the text began it, so there is no
// pg::Transaction to end it.
void Executor::Rollback() {
  if (conn_.in_transaction()) (void)conn_.Run("ROLLBACK");
}

OwnSql Executor::Closing(const SqlText& t, size_t first, size_t last, const std::string& tail) {
  OwnSql out;
  if (ChangesSettings(t, first, last))
    out.assign(std::begin(kRestoreSession), std::end(kRestoreSession));
  out.push_back(tail);
  return out;
}

void Executor::AppendTransaction(SqlBuffer& buf, const SqlText& t, const FileOptions& o,
                                 size_t first, size_t last, const std::string& tail) {
  for (const auto& st : Head(o)) buf.Append(st);
  for (size_t i = first; i < last; ++i) buf.AppendStatement(t, t.statements[i]);
  for (const auto& st : Closing(t, first, last, tail)) buf.Append(st);
  buf.Append("COMMIT");
}

Status Executor::Transaction(const SqlText& t, const FileOptions& o, size_t first, size_t last,
                             const std::string& tail) {
  for (size_t i = first; i < last; ++i) {
    if (t.statements[i].copy_from_stdin) return CopyTransaction(t, o, first, last, tail);
  }
  std::string fallback = last - first == 1 ? t.Where(t.statements[first].begin) : t.path;
  SqlBuffer buf;
  AppendTransaction(buf, t, o, first, last, tail);
  Status s = Run(buf, fallback);
  if (s.ok() && conn_.in_transaction()) s = NotCommitted(fallback);
  if (!s.ok()) Rollback();
  return s;
}

// COPY FROM STDIN data travels in its own protocol messages: statement by statement, so no
// round trip is saved by text here.
Status Executor::CopyTransaction(const SqlText& t, const FileOptions& o, size_t first, size_t last,
                                 const std::string& tail) {
  PGSTACK_ASSIGN_OR_RETURN(pg::Transaction tx, pg::Transaction::Begin(conn_));
  PGSTACK_RETURN_IF_ERROR(Send(Joined(Settings(o))).status());
  for (size_t i = first; i < last; ++i) {
    const Statement& st = t.statements[i];
    if (st.copy_from_stdin) {
      PGSTACK_RETURN_IF_ERROR(CopyIn(t, st));
      continue;
    }
    SqlBuffer b;
    b.AppendStatement(t, st);
    PGSTACK_RETURN_IF_ERROR(Run(b, t.Where(st.begin)));
  }
  PGSTACK_RETURN_IF_ERROR(Send(Joined(Closing(t, first, last, tail))).status());
  return tx.Commit();
}

Status Executor::CopyIn(const SqlText& t, const Statement& st) {
  SqlBuffer b;
  b.AppendStatement(t, st);
  std::string_view data =
      std::string_view(t.sql).substr(st.copy_data_begin, st.copy_data_end - st.copy_data_begin);
  return b.Locate(SendCopy(b.str(), data), t.Where(st.begin));
}

Status Executor::WithRetries(const std::string& what,
                             const std::function<Status(int attempt)>& step) {
  core::BackoffPauses pauses({.first = std::chrono::milliseconds(s_.backoff_ms),
                              .growth = 2,
                              .max = std::chrono::seconds(10),
                              .jitter = true});
  for (int attempt = 0;; ++attempt) {
    Status s = step(attempt);
    if (s.ok()) return s;
    auto c = pg::Classify(s);
    if (!pg::IsConcurrencyConflict(c)) return s;
    if (attempt >= s_.retries) {
      Status out = Status::Postgres(
          fmt::format("{} (gave up after {} retries)", s.message(), s_.retries), s.sqlstate());
      return out.WithCode(c == pg::ErrorClass::kLockNotAvailable ? Code::kLockTimeout : s.code());
    }
    auto pause = pauses.Next();
    if (s_.on_retry) {
      s_.on_retry(fmt::format("{}; retry {} of {} in {} ms", s.message(), attempt + 1, s_.retries,
                              pause.count()));
    }
    PGSTACK_RETURN_IF_ERROR(core::Pause(pause));
  }
}

Result<bool> Executor::PrepareConcurrentIndex(const Statement& st) {
  PGSTACK_ASSIGN_OR_RETURN(
      auto r, conn_.Exec("SELECT i.indisvalid, format('%I.%I', n.nspname, c.relname) "
                         "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                         "JOIN pg_namespace n ON n.oid = c.relnamespace "
                         "WHERE c.relname = $1 AND c.relnamespace = "
                         "(SELECT relnamespace FROM pg_class WHERE oid = to_regclass($2))",
                         {CatalogName(st.concurrent_index), st.concurrent_index_table}));
  if (r.rows() == 0) return false;
  if (r.get(0, 0) == "t") return true;
  PGSTACK_RETURN_IF_ERROR(
      conn_.Run("DROP INDEX CONCURRENTLY IF EXISTS " + std::string(r.get(0, 1))));
  return false;
}

Status Executor::Statements(const SqlText& t, const FileOptions& o, int start, bool resuming,
                            const std::function<std::string(int i, int bare_ms)>& progress) {
  int n = static_cast<int>(t.statements.size());
  for (int i = start; i < n; ++i) {
    const Statement& st = t.statements[i];
    std::string what = t.Where(st.begin);
    if (st.kind != StatementKind::kNoTransaction) {
      PGSTACK_RETURN_IF_ERROR(WithRetries(what, [&](int) {
        return Transaction(t, o, static_cast<size_t>(i), static_cast<size_t>(i) + 1,
                           progress(i, -1));
      }));
      continue;
    }
    auto t0 = Clock::now();
    PGSTACK_RETURN_IF_ERROR(WithRetries(what, [&](int attempt) -> Status {
      if (!st.concurrent_index.empty() && ((resuming && i == start) || attempt > 0)) {
        PGSTACK_ASSIGN_OR_RETURN(bool done, PrepareConcurrentIndex(st));
        if (done) return Status::Ok();
      }
      SqlBuffer b;
      b.AppendStatement(t, st);
      return Run(b, what);
    }));
    PGSTACK_RETURN_IF_ERROR(conn_.Run(progress(i, core::MsSince<int>(t0))));
  }
  return Status::Ok();
}

std::string Executor::HistoryInsert(const Migration& m) {
  std::string kind(m.repeatable() ? kKindRepeatable : kKindVersioned);
  std::string sql = fmt::format(
      "INSERT INTO {} (version, name, kind, checksum, applied_by, "
      "execution_ms) VALUES ({}, {}, {}, {}, {}, {})",
      s_.history_table, Lit(m.key()), Lit(m.name), Lit(kind), Lit(m.checksum),
      RunByExpression(conn_, s_.applied_by),
      ElapsedSql(ChangesSettings(m.up, 0, m.up.statements.size())));
  if (m.repeatable()) {
    sql +=
        " ON CONFLICT (version) DO UPDATE SET checksum = EXCLUDED.checksum, "
        "applied_at = clock_timestamp(), applied_by = EXCLUDED.applied_by, "
        "execution_ms = EXCLUDED.execution_ms";
  }
  return sql;
}

bool Executor::Batchable(const Migration& m, const HistoryRow* partial) {
  return !partial && m.UpMode() == RunMode::kTransaction && !m.up.HasCopy();
}

Status Executor::UpBatch(const std::vector<UpItem>& items, size_t first, size_t last,
                         const std::function<void(size_t, int)>& on_applied, size_t* done) {
  SqlBuffer buf;
  std::string keys;
  for (size_t i = first; i < last; ++i) {
    const Migration& m = *items[i].migration;
    AppendTransaction(buf, m.up, m.up_options, 0, m.up.statements.size(), HistoryInsert(m));
    keys += (keys.empty() ? "" : ", ") + Lit(m.key());
  }
  // The last result of the string is its last statement's: the time each one took.
  buf.Append("SELECT version, execution_ms FROM " + s_.history_table + " WHERE version IN (" +
             keys + ")");
  pg::ScriptResult sent = SendScript(buf);
  Result<pg::QueryResult> r = !sent.error.ok() ? Result<pg::QueryResult>(sent.error)
                              : sent.results.empty()
                                  ? Result<pg::QueryResult>(pg::QueryResult())
                                  : Result<pg::QueryResult>(std::move(sent.results.back()));
  // Applied means committed with its history row: every key comes back from the history, and
  // no transaction is left open (a string cut short would leave one).
  if (r.ok() && !conn_.in_transaction()) {
    std::unordered_map<std::string, int> ms;
    for (int row = 0; row < r->rows() && r->columns() == 2; ++row) {
      ms[std::string(r->get(row, 0))] = std::atoi(std::string(r->get(row, 1)).c_str());
    }
    bool all = true;
    for (size_t i = first; i < last; ++i) all = all && ms.count(items[i].migration->key()) > 0;
    if (all) {
      for (size_t i = first; i < last; ++i) on_applied(i, ms[items[i].migration->key()]);
      *done = last - first;
      return Status::Ok();
    }
  }
  Rollback();
  if (conn_.broken()) {
    // PgBouncer or the server went away mid-batch: which of it committed is for the next run
    // to read from the history (each one that did has its row).
    return Status::Failure(fmt::format(
        "{}: lost the connection while applying it (or one of the {} after it in the same round "
        "trip): {}; those that committed have their history rows: rerun `migrate up` to continue",
        items[first].migration->up.path, last - first - 1,
        r.ok() ? "the transaction did not commit" : r.status().message()));
  }
  // Those before the failed one committed: find out which, by their checksums in the history.
  PGSTACK_ASSIGN_OR_RETURN(
      auto h, conn_.Exec("SELECT version, checksum, execution_ms FROM " + s_.history_table +
                         " WHERE version IN (" + keys + ")"));
  std::unordered_map<std::string, std::pair<std::string, int>> rows;
  for (int row = 0; row < h.rows(); ++row) {
    rows[std::string(h.get(row, 0))] = {std::string(h.get(row, 1)),
                                        std::atoi(std::string(h.get(row, 2)).c_str())};
  }
  *done = 0;
  for (size_t i = first; i < last; ++i) {
    const Migration& m = *items[i].migration;
    auto it = rows.find(m.key());
    if (it == rows.end() || it->second.first != m.checksum) break;
    on_applied(i, it->second.second);
    ++*done;
  }
  const Migration& failed = *items[std::min(first + *done, last - 1)].migration;
  if (r.ok()) return NotCommitted(failed.up.path);
  return buf.Locate(r.status(), failed.up.path, sent.results.size());
}

Status Executor::UpAll(const std::vector<UpItem>& items,
                       const std::function<void(size_t, int)>& on_applied) {
  // Transactional migrations go many to a round trip, each still its own transaction with its
  // history row (one string of BEGIN ... COMMIT blocks; the server stops at the first error).
  constexpr size_t kBatch = 100;
  constexpr size_t kBatchBytes = 1 << 20;
  size_t i = 0;
  while (i < items.size()) {
    PGSTACK_RETURN_IF_ERROR(core::CheckInterrupt());
    if (s_.before_each) PGSTACK_RETURN_IF_ERROR(s_.before_each());
    const UpItem& it = items[i];
    if (!Batchable(*it.migration, it.partial)) {
      auto t0 = Clock::now();
      PGSTACK_RETURN_IF_ERROR(Up(*it.migration, it.partial));
      on_applied(i, core::MsSince<int>(t0));
      ++i;
      continue;
    }
    size_t last = i;
    size_t bytes = 0;
    while (last < items.size() && last - i < kBatch && bytes < kBatchBytes &&
           Batchable(*items[last].migration, items[last].partial)) {
      bytes += items[last].migration->up.sql.size();
      ++last;
    }
    PGSTACK_RETURN_IF_ERROR(WithRetries(it.migration->up.path, [&](int) {
      size_t done = 0;
      Status s = UpBatch(items, i, last, on_applied, &done);
      i += done;  // a retry continues with the one that failed
      return s;
    }));
  }
  return Status::Ok();
}

Status Executor::Up(const Migration& m, const HistoryRow* partial) {
  std::string key = Lit(m.key());
  std::string by = RunByExpression(conn_, s_.applied_by);
  std::string kind(m.repeatable() ? kKindRepeatable : kKindVersioned);
  size_t n = m.up.statements.size();
  if (m.UpMode() == RunMode::kTransaction) {
    std::string tail = HistoryInsert(m);
    return WithRetries(m.up.path, [&](int) { return Transaction(m.up, m.up_options, 0, n, tail); });
  }
  int start = 0;
  if (partial) {
    start = partial->statements_done;
  } else {
    PGSTACK_RETURN_IF_ERROR(conn_.Run(fmt::format(
        "INSERT INTO {} (version, name, kind, checksum, state, "
        "statements_done, statements_total, applied_by) VALUES ({}, {}, {}, {}, 'partial', 0, "
        "{}, {})",
        s_.history_table, key, Lit(m.name), Lit(kind), Lit(m.checksum), n, by)));
  }
  return Statements(m.up, m.up_options, start, partial != nullptr, [&](int i, int bare_ms) {
    bool last = static_cast<size_t>(i) + 1 == n;
    return fmt::format(
        "UPDATE {} SET statements_done = {}, execution_ms = execution_ms + "
        "{}{} WHERE version = {}",
        s_.history_table, i + 1,
        bare_ms >= 0 ? std::to_string(bare_ms) : ElapsedSql(ChangesSettings(m.up, i, i + 1)),
        last ? ", state = 'applied', applied_at = clock_timestamp()" : "", key);
  });
}

Status Executor::Down(const Migration& m, const HistoryRow& row) {
  const SqlText& down = *m.down;
  std::string key = Lit(row.version);
  std::string remove = "DELETE FROM " + s_.history_table + " WHERE version = " + key;
  size_t n = down.statements.size();
  if (m.DownMode() == RunMode::kTransaction) {
    return WithRetries(down.path,
                       [&](int) { return Transaction(down, m.down_options, 0, n, remove); });
  }
  bool resuming = row.state == kStateReverting;
  int start = resuming ? row.statements_done : 0;
  if (!resuming) {
    PGSTACK_RETURN_IF_ERROR(
        conn_.Run(fmt::format("UPDATE {} SET state = 'reverting', statements_done = 0, "
                              "statements_total = {} WHERE version = {}",
                              s_.history_table, n, key)));
  }
  return Statements(down, m.down_options, start, resuming, [&](int i, int) {
    if (static_cast<size_t>(i) + 1 == n) return remove;
    return fmt::format("UPDATE {} SET statements_done = {} WHERE version = {}", s_.history_table,
                       i + 1, key);
  });
}

}  // namespace pgstack::migrate::internal
