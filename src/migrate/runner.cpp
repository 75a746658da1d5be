#include "pgstack/migrate/runner.h"

#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "executor.h"
#include "parse_check.h"
#include "pgstack/core/elapsed.h"
#include "pgstack/core/interrupt.h"
#include "pgstack/migrate/lease.h"
#include "pgstack/migrate/source.h"
#include "pgstack/pg/connection.h"

namespace pgstack::migrate {
namespace {

using Clock = std::chrono::steady_clock;

void Emit(const Options& o, const std::string& what) {
  if (o.on_event) o.on_event(what);
}

// The directory, read and checked, and `to` checked against it ("0" is allowed when
// allow_zero: `down --to 0` reverts everything).
Result<MigrationSet> ReadChecked(const Options& o, const std::optional<Version>& to,
                                 bool allow_zero, Unreadable unreadable = Unreadable::kFail) {
  PGSTACK_ASSIGN_OR_RETURN(
      MigrationSet set,
      ReadMigrations(o.dir, o.format, o.flyway ? &*o.flyway : nullptr, unreadable));
  if (to && !set.Find(*to) && !(allow_zero && to->IsZero())) {
    return Status::InvalidInput(
        fmt::format("--to {}: no migration has this version in {}", to->str(), o.dir));
  }
  return set;
}

Result<pg::Connection> Connect(const Options& o) {
  auto c = pg::Connection::Open(o.conn);
  if (!c.ok()) return c.status().WithContext("migrate");
  return c;
}

Status Reload(pg::Connection& conn, const HistoryTable& h, Report& rep, const PlanOptions& po) {
  PGSTACK_ASSIGN_OR_RETURN(rep.history, LoadHistory(conn, h));
  rep.plan = MakePlan(rep.set, rep.history, po);
  return Status::Ok();
}

// The directory, the connection and the history, as a command first reads them.
struct Opened {
  pg::Connection conn;
  std::unique_ptr<Report> rep;  // its plan made with the PlanOptions given to Open
};

// How Open reads the directory (ReadChecked's arguments).
struct ReadSpec {
  std::optional<Version> to;
  bool allow_zero = false;
  Unreadable unreadable = Unreadable::kFail;
};

// Reads the directory on a thread of its own while this one connects and reads the history:
// the reading waits on the files and this process, the rest on the server (the handshake, its
// backend starting, the history query), so a command pays the longer of the two instead of their
// sum. A file problem is still the error reported, whatever became of the connection.
Result<Opened> Open(const Options& o, const HistoryTable& h, const ReadSpec& spec,
                    const PlanOptions& po) {
  Result<MigrationSet> set = Status::Failure("the migrations directory was not read");
  std::thread reader([&] { set = ReadChecked(o, spec.to, spec.allow_zero, spec.unreadable); });
  Result<pg::Connection> conn = Connect(o);
  Result<std::vector<HistoryRow>> history =
      conn.ok() ? LoadHistory(*conn, h) : Result<std::vector<HistoryRow>>(conn.status());
  reader.join();
  PGSTACK_RETURN_IF_ERROR(set.status());
  PGSTACK_RETURN_IF_ERROR(history.status());
  auto rep = std::make_unique<Report>();
  rep->set = std::move(set).value();
  rep->history = std::move(history).value();
  rep->plan = MakePlan(rep->set, rep->history, po);
  return Opened{std::move(conn).value(), std::move(rep)};
}

Result<std::unique_ptr<Lease>> TakeLease(pg::Connection& conn, const HistoryTable& h,
                                         const Options& o) {
  PGSTACK_RETURN_IF_ERROR(EnsureHistorySchema(conn, h));
  LeaseOptions lo;
  lo.wait_ms = o.wait_ms;
  lo.lease_ms = o.lease_ms;
  lo.on_wait = [&o](const std::string& why) {
    std::string what = "waiting for the migration lock: " + why;
    Emit(o, what);
    if (o.on_wait) o.on_wait(what);
  };
  return Lease::Acquire(conn, o.conn, h, lo);
}

internal::ExecSettings SettingsFor(const Options& o, const HistoryTable& h, const Lease& lease) {
  internal::ExecSettings s;
  s.history_table = h.table;
  s.lease_table = h.lease_table;
  s.holder = lease.holder();
  s.lease_ms = lease.lease_ms();
  s.lock_timeout_ms = o.lock_timeout_ms;
  s.statement_timeout_ms = o.statement_timeout_ms;
  s.retries = o.retries;
  s.backoff_ms = o.backoff_ms;
  s.applied_by = RunnerIdentity();
  s.on_retry = [&o](const std::string& what) { Emit(o, "lock timeout: " + what); };
  return s;
}

// Runs `body` holding the lease, then releases it (a synchronous commit: everything before it
// is durable once this returns OK).
Status UnderLease(pg::Connection& conn, const HistoryTable& h, const Options& o, RunReport& out,
                  const std::function<Status(Lease&)>& body) {
  PGSTACK_ASSIGN_OR_RETURN(auto lease, TakeLease(conn, h, o));
  out.waited_ms = lease->waited_ms();
  Status s = body(*lease);
  Status r = lease->Release();
  if (!s.ok() || r.ok()) return s;
  return Status::Failure(fmt::format(
      "the run is done, but the connection was lost before the migration lock was released "
      "({}); the lock expires by itself within {} ms",
      r.message(), o.lease_ms));
}

// Records a step applied or reverted, and tells the caller at once.
void Record(const Options& o, RunReport& out, AppliedStep step, std::string_view verb) {
  Emit(o, fmt::format("{} {} {} ({}, {} ms)", verb, step.version, step.name, RunModeName(step.mode),
                      step.ms));
  if (o.on_step) o.on_step(step);
  out.steps.push_back(std::move(step));
}

// A run that an interrupt stopped ends with the interrupt's status (exit 130 or 143), whatever
// the cancelled statement reported.
Status Stopped(Status s, const RunReport& out, std::string_view doing) {
  if (s.ok() || !core::Interrupted()) return s;
  return core::InterruptedStatus(
      fmt::format("stopped after {} {} migration(s)", doing, out.steps.size()));
}

Status CheckLease(const Lease& lease) {
  PGSTACK_RETURN_IF_ERROR(core::CheckInterrupt());
  if (!lease.lost()) return Status::Ok();
  return Status::LockTimeout(
      "the migration lease expired while this runner held it (another runner may have taken "
      "over); stopped before the next migration");
}

// The migrations `up` would apply now.
std::vector<const Migration*> PendingOf(const Plan& plan) {
  std::vector<const Migration*> out;
  for (const auto& p : plan.pending) out.push_back(p.migration);
  return out;
}

}  // namespace

Result<std::unique_ptr<Report>> Inspect(const Options& o, const std::optional<Version>& to) {
  PGSTACK_ASSIGN_OR_RETURN(HistoryTable h, HistoryNamed(o.history));
  PGSTACK_ASSIGN_OR_RETURN(
      Opened open, Open(o, h, {to, false, o.unreadable}, PlanOptions{to, o.allow_out_of_order}));
  return std::move(open.rep);
}

Result<std::unique_ptr<Report>> Validate(const Options& o) {
  PGSTACK_ASSIGN_OR_RETURN(HistoryTable h, HistoryNamed(o.history));
  PGSTACK_ASSIGN_OR_RETURN(Opened open,
                           Open(o, h, {}, PlanOptions{std::nullopt, o.allow_out_of_order}));
  const MigrationSet& set = open.rep->set;
  std::vector<const Migration*> all;
  for (const auto& m : set.migrations) all.push_back(&m);
  PGSTACK_RETURN_IF_ERROR(Unwritten(all));
  std::vector<const SqlText*> texts;
  for (const auto& m : set.migrations) {
    texts.push_back(&m.up);
    if (m.down) texts.push_back(&*m.down);
  }
  PGSTACK_RETURN_IF_ERROR(internal::ParseCheck(open.conn, texts));
  return std::move(open.rep);
}

Result<RunReport> Up(const Options& o, const std::optional<Version>& to) {
  PGSTACK_ASSIGN_OR_RETURN(HistoryTable h, HistoryNamed(o.history));
  PlanOptions po{to, o.allow_out_of_order};
  PGSTACK_ASSIGN_OR_RETURN(Opened open, Open(o, h, {to}, po));
  pg::Connection& conn = open.conn;
  std::unique_ptr<Report>& rep = open.rep;
  RunReport out;
  out.format = std::string(FormatName(rep->set.format));
  PGSTACK_RETURN_IF_ERROR(Refusal(rep->plan));
  PGSTACK_RETURN_IF_ERROR(Unwritten(PendingOf(rep->plan)));
  if (rep->plan.pending.empty()) return out;
  // Every syntax error is found before anything changes (parse_check.h).
  std::vector<const SqlText*> texts;
  for (const auto& p : rep->plan.pending) texts.push_back(&p.migration->up);
  PGSTACK_RETURN_IF_ERROR(internal::ParseCheck(conn, texts));
  Status run = UnderLease(conn, h, o, out, [&](Lease& lease) -> Status {
    // Another runner may have applied some while we waited: decide again.
    PGSTACK_RETURN_IF_ERROR(Reload(conn, h, *rep, po));
    PGSTACK_RETURN_IF_ERROR(Refusal(rep->plan));
    PGSTACK_RETURN_IF_ERROR(Unwritten(PendingOf(rep->plan)));
    internal::ExecSettings settings = SettingsFor(o, h, lease);
    settings.before_each = [&lease] { return CheckLease(lease); };
    internal::Executor ex(conn, std::move(settings));
    std::vector<internal::UpItem> items;
    for (const auto& p : rep->plan.pending) items.push_back({p.migration, p.partial});
    return ex.UpAll(items, [&](size_t i, int ms) {
      const Migration& m = *items[i].migration;
      Record(o, out, {m.key(), m.name, m.UpMode(), ms, items[i].partial != nullptr}, "applied");
    });
  });
  PGSTACK_RETURN_IF_ERROR(Stopped(run, out, "applying"));
  return out;
}

Result<RunReport> Down(const Options& o, std::optional<int> count, std::optional<Version> to) {
  PGSTACK_ASSIGN_OR_RETURN(HistoryTable h, HistoryNamed(o.history));
  PlanOptions po{std::nullopt, true};
  PGSTACK_ASSIGN_OR_RETURN(Opened open, Open(o, h, {to, true}, po));
  pg::Connection& conn = open.conn;
  std::unique_ptr<Report>& rep = open.rep;
  RunReport out;
  out.format = std::string(FormatName(rep->set.format));
  PGSTACK_ASSIGN_OR_RETURN(auto targets, PlanDown(rep->plan, count, to));
  if (targets.empty()) return out;
  std::vector<const SqlText*> texts;
  for (const auto& t : targets) texts.push_back(&*t.migration->down);
  PGSTACK_RETURN_IF_ERROR(internal::ParseCheck(conn, texts));
  Status run = UnderLease(conn, h, o, out, [&](Lease& lease) -> Status {
    PGSTACK_RETURN_IF_ERROR(Reload(conn, h, *rep, po));
    PGSTACK_ASSIGN_OR_RETURN(targets, PlanDown(rep->plan, count, to));
    internal::Executor ex(conn, SettingsFor(o, h, lease));
    for (const auto& t : targets) {
      PGSTACK_RETURN_IF_ERROR(CheckLease(lease));
      const Migration& m = *t.migration;
      auto t0 = Clock::now();
      PGSTACK_RETURN_IF_ERROR(ex.Down(m, *t.row));
      Record(o, out,
             {t.row->version, m.name, m.DownMode(), core::MsSince<int>(t0),
              t.row->state == kStateReverting},
             "reverted");
    }
    return Status::Ok();
  });
  PGSTACK_RETURN_IF_ERROR(Stopped(run, out, "reverting"));
  return out;
}

Result<RunReport> Baseline(const Options& o, const Version& version) {
  PGSTACK_ASSIGN_OR_RETURN(HistoryTable h, HistoryNamed(o.history));
  PGSTACK_ASSIGN_OR_RETURN(MigrationSet set, ReadChecked(o, version, false));
  PGSTACK_ASSIGN_OR_RETURN(pg::Connection conn, Connect(o));
  PlanOptions po{std::nullopt, true};
  auto rep = std::make_unique<Report>();
  rep->set = std::move(set);
  RunReport out;
  out.format = std::string(FormatName(rep->set.format));
  PGSTACK_RETURN_IF_ERROR(UnderLease(conn, h, o, out, [&](Lease& lease) -> Status {
    PGSTACK_RETURN_IF_ERROR(Reload(conn, h, *rep, po));
    std::string by = RunByExpression(conn, RunnerIdentity());
    std::string values;
    for (const auto& m : rep->set.migrations) {
      if (!m.version || version < *m.version) continue;
      bool known = false;
      for (const auto& h : rep->history) known = known || h.version == m.key();
      if (known) continue;
      values += fmt::format("{}({}, {}, 'baseline', {}, {})", values.empty() ? "" : ",\n",
                            conn.QuoteLiteral(m.key()), conn.QuoteLiteral(m.name),
                            conn.QuoteLiteral(m.checksum), by);
      out.steps.push_back({m.key(), m.name, RunMode::kTransaction, 0, false});
    }
    if (values.empty()) return Status::Ok();
    // Text, as the executor's batches (executor.h): the lease check and the rows in one round
    // trip, in one transaction.
    return conn.Run(
        fmt::format("BEGIN;\nSELECT pgstack.hold_lease({}, {});\nINSERT INTO {} "
                    "(version, name, kind, checksum, applied_by) VALUES\n{};\nCOMMIT;",
                    conn.QuoteLiteral(lease.holder()), lease.lease_ms(), h.table, values));
  }));
  return out;
}

Result<RunReport> Repair(const Options& o) {
  PGSTACK_ASSIGN_OR_RETURN(HistoryTable h, HistoryNamed(o.history));
  PlanOptions po{std::nullopt, true};
  PGSTACK_ASSIGN_OR_RETURN(Opened open, Open(o, h, {}, po));
  pg::Connection& conn = open.conn;
  std::unique_ptr<Report>& rep = open.rep;
  RunReport out;
  out.format = std::string(FormatName(rep->set.format));
  PGSTACK_RETURN_IF_ERROR(UnderLease(conn, h, o, out, [&](Lease& lease) -> Status {
    PGSTACK_RETURN_IF_ERROR(Reload(conn, h, *rep, po));
    std::string by = RunByExpression(conn, RunnerIdentity());
    // One round trip, in one transaction, as Baseline's rows.
    std::string sql = fmt::format("BEGIN;\nSELECT pgstack.hold_lease({}, {});\n",
                                  conn.QuoteLiteral(lease.holder()), lease.lease_ms());
    for (const auto& p : rep->plan.problems) {
      if (p.kind != Problem::Kind::kChanged) continue;
      const Migration* m = nullptr;
      for (const auto& x : rep->set.migrations) {
        if (x.key() == p.version) m = &x;
      }
      if (!m) continue;
      sql += fmt::format(
          "UPDATE {} SET previous_checksum = checksum, checksum = {}, "
          "repaired_at = clock_timestamp(), repaired_by = {} WHERE version = {};\n",
          h.table, conn.QuoteLiteral(m->checksum), by, conn.QuoteLiteral(p.version));
      out.steps.push_back({p.version, p.name, RunMode::kTransaction, 0, false});
    }
    if (out.steps.empty()) return Status::Ok();
    return conn.Run(sql + "COMMIT;");
  }));
  return out;
}

}  // namespace pgstack::migrate
