#include "pgstack/bench/pool_bench.h"

#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "pgstack/bench/log_statement.h"
#include "pgstack/bench/scratch_schema.h"
#include "pgstack/bench/workload.h"
#include "pgstack/core/interrupt.h"
#include "pgstack/core/parse_int.h"
#include "pgstack/core/wait.h"
#include "pgstack/pg/connection.h"
#include "pgstack/pg/error_class.h"

namespace pgstack::bench {
namespace {

constexpr auto kSettleLimit = std::chrono::seconds(5);
// The trial run of the script: a benchmark statement takes milliseconds, and one that takes
// longer than this would make every figure meaningless (and the bench unstoppable).
constexpr auto kTrialLimit = std::chrono::seconds(10);
constexpr auto kProgressEvery = std::chrono::milliseconds(500);
// How long --read-only waits for the replicas to replay the workload's tables.
constexpr auto kReplayLimit = std::chrono::seconds(30);

bool HasSuperuser(const location::Endpoints& e) {
  return !e.superuser.user.empty() || !e.superuser.host.empty();
}

void Notify(const std::function<void(const std::string&)>& f, const std::string& text) {
  if (f) f(text);
}

Result<ServerFacts> ReadServerFacts(pg::Connection& conn) {
  PGSTACK_ASSIGN_OR_RETURN(
      auto r, conn.Exec("SELECT current_setting('server_version') AS version, "
                        "current_setting('log_statement') AS log_statement, "
                        "current_setting('max_connections')::int AS max_connections, "
                        "current_setting('superuser_reserved_connections')::int AS reserved"));
  ServerFacts f;
  f.version = r.get(0, "version");
  f.log_statement = r.get(0, "log_statement");
  PGSTACK_ASSIGN_OR_RETURN(f.max_connections,
                           core::ParseInt<int>(r.get(0, "max_connections"), "max_connections"));
  PGSTACK_ASSIGN_OR_RETURN(
      f.superuser_reserved_connections,
      core::ParseInt<int>(r.get(0, "reserved"), "superuser_reserved_connections"));
  return f;
}

// Runs one transaction of the script once, so that a wrong --sql fails with the server's message
// before any load starts; each statement within kTrialLimit, and cancelled by Ctrl-C.
Status Probe(pg::Connection& conn, const Workload& w) {
  Rng rng(1);
  std::vector<int64_t> values;
  w.script.Draw(rng, values);
  std::string sql;
  Status failed;
  {
    auto cancel = conn.cancel_handle();
    std::optional<core::InterruptHook> hook;
    if (cancel.ok()) hook.emplace([&cancel] { (void)cancel->Cancel(); });
    for (size_t i = 0; i < w.script.size() && failed.ok(); ++i) {
      w.script.Render(i, values, sql);
      failed = core::CheckInterrupt();
      if (failed.ok()) failed = conn.ExecWithin(sql, kTrialLimit).status();
    }
  }
  // The workload's own BEGIN (a statement of its script) leaves a transaction open when the
  // trial stops inside it: the script began it, so no pg::Transaction holds it.
  if (conn.in_transaction()) (void)conn.Run("ROLLBACK");
  if (failed.ok()) return failed;
  if (core::Interrupted()) return core::InterruptedStatus("the trial run of the workload");
  bool slow = pg::Classify(failed) == pg::ErrorClass::kQueryCanceled;
  if (w.kind == WorkloadKind::kCustomSql) {
    if (slow) {
      return Status::InvalidInput(
          fmt::format("--sql: one run of the statement took longer than {} (a benchmark runs "
                      "it many times; give one that takes milliseconds)",
                      core::FormatWaitDuration(kTrialLimit)));
    }
    return Status::InvalidInput("--sql: the statement fails: " + failed.message());
  }
  return failed.WithContext("the " + std::string(Name(w.kind)) + " workload fails");
}

Result<pg::Connection> OpenConsole(const location::Endpoints& e) {
  auto c = pg::Connection::Open(e.admin);
  if (!c.ok()) return c.status().WithContext("PgBouncer's console (for pooled points)");
  return c;
}

// Everything one run of the matrix holds open; torn down in reverse order.
class PoolRun {
 public:
  PoolRun(const location::Endpoints& e, const PoolOptions& o, const BenchHooks& h)
      : endpoints_(e), options_(o), hooks_(h) {}
  Result<PoolReport> Run();

 private:
  Status Prepare();
  Result<PointResult> RunPoint(const Point& p);
  Status WaitForBackendsToLeave(int baseline);
  bool Stopped() const { return hooks_.stop && hooks_.stop->load(); }
  // Where pooled points go: the read pool with --read-only.
  const pg::ConnParams& Pooled() const {
    return options_.read_only ? endpoints_.read_pool : endpoints_.pooled;
  }
  Status PrepareReplicas(pg::Connection& primary);

  const location::Endpoints& endpoints_;
  const PoolOptions& options_;
  const BenchHooks& hooks_;
  PoolReport report_;
  std::optional<ScratchSchema> schema_;
  Workload workload_;
  std::unique_ptr<LogStatementOff> log_off_;
  std::optional<BackendSampler> backends_;
  std::optional<pg::Connection> console_;
  std::optional<ReplicaCounters> replica_counters_;  // --read-only
};

Status PoolRun::Prepare() {
  report_.duration = options_.duration;
  report_.warmup = options_.warmup;
  report_.cpus = std::thread::hardware_concurrency();
  PGSTACK_ASSIGN_OR_RETURN(auto direct, pg::Connection::Open(endpoints_.direct));
  SilenceNotices(direct);
  PGSTACK_ASSIGN_OR_RETURN(report_.server, ReadServerFacts(direct));
  const std::string& ls = report_.server.log_statement;
  if (ls != "none" && options_.log_statement_off) {
    if (!HasSuperuser(endpoints_)) {
      return Status::InvalidInput(
          "--log-statement-off needs a superuser connection (ALTER SYSTEM), and none is known");
    }
    PGSTACK_ASSIGN_OR_RETURN(log_off_, LogStatementOff::Apply(endpoints_.superuser));
    report_.log_statement_turned_off = true;
    Notify(hooks_.notice, fmt::format("log_statement was '{}': turned off for this run with ALTER "
                                      "SYSTEM; it is put back when the run ends.",
                                      ls));
  } else if (ls == "all" || (ls == "mod" && options_.workload == WorkloadKind::kWrite)) {
    Notify(hooks_.notice,
           fmt::format("note: log_statement is '{}' on this server, so every statement is also "
                       "written to the server log and these figures include that cost. "
                       "--log-statement-off turns it off for the run (and back on after).",
                       ls));
  }

  if (options_.workload != WorkloadKind::kCustomSql) {
    PGSTACK_ASSIGN_OR_RETURN(auto schema, ScratchSchema::Create(endpoints_.direct));
    schema_.emplace(std::move(schema));
  }
  PGSTACK_ASSIGN_OR_RETURN(workload_, MakeWorkload(options_.workload, options_.sql,
                                                   schema_ ? schema_->name() : std::string()));
  report_.workload = workload_.kind;
  report_.workload_description = workload_.description;
  Notify(hooks_.progress, "setting up the " + std::string(Name(workload_.kind)) + " workload");
  for (const auto& sql : workload_.setup) PGSTACK_RETURN_IF_ERROR(direct.Run(sql));
  PGSTACK_RETURN_IF_ERROR(Probe(direct, workload_));
  if (options_.read_only) PGSTACK_RETURN_IF_ERROR(PrepareReplicas(direct));

  // The sampler sees the role's backends: as a superuser when there is one (it is then not one
  // of them), otherwise as the role itself, not counting its own backend.
  if (HasSuperuser(endpoints_)) {
    auto su = pg::Connection::Open(endpoints_.superuser);
    if (su.ok())
      backends_.emplace(std::move(*su), endpoints_.direct.user, endpoints_.direct.dbname);
  }
  if (!backends_)
    backends_.emplace(std::move(direct), endpoints_.direct.user, endpoints_.direct.dbname);

  for (EndpointKind e : options_.endpoints) {
    if (e != EndpointKind::kPooled) continue;
    PGSTACK_ASSIGN_OR_RETURN(auto console, OpenConsole(endpoints_));
    PoolerSampler s(std::move(console), Pooled().dbname, Pooled().user);
    PGSTACK_ASSIGN_OR_RETURN(report_.pooler_limits, s.Limits());
  }
  return Status::Ok();
}

// --read-only: the replicas have replayed the workload's tables, and each is watched.
Status PoolRun::PrepareReplicas(pg::Connection& primary) {
  if (endpoints_.read_pool.host.empty())
    return Status::InvalidInput("--read-only: no read pool: " + endpoints_.no_read_pool);
  report_.read_only = true;
  PGSTACK_ASSIGN_OR_RETURN(auto lsn, primary.Exec("SELECT pg_current_wal_lsn()::text"));
  for (const pg::ConnParams& r : endpoints_.replicas) {
    PGSTACK_ASSIGN_OR_RETURN(auto c, pg::Connection::Open(r));
    PGSTACK_RETURN_IF_ERROR(core::WaitUntil(
        {.what = fmt::format("the replica on port {} to replay the workload's tables", r.port),
         .timeout = kReplayLimit,
         .backoff = {.first = std::chrono::milliseconds(10)}},
        [&] {
          auto q = c.Exec("SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn", {lsn.scalar()});
          if (!q.ok()) return core::Poll::Fail(q.status());
          return q->scalar() == "t" ? core::Poll::Ready() : core::Poll::NotYet("behind");
        }));
  }
  PGSTACK_ASSIGN_OR_RETURN(
      auto counters, ReplicaCounters::Open(endpoints_.replicas, endpoints_.admin, Pooled().dbname));
  replica_counters_.emplace(std::move(counters));
  return Status::Ok();
}

// Backends of a direct point exit after their clients hang up; wait (bounded) until they are
// gone so that the next point's peak counts only its own.
Status PoolRun::WaitForBackendsToLeave(int baseline) {
  return core::WaitUntil({.what = "the backends of the last point to exit",
                          .timeout = kSettleLimit,
                          .backoff = {.first = std::chrono::milliseconds(20)}},
                         [&] {
                           auto n = backends_->Count();
                           if (!n.ok()) return core::Poll::Fail(n.status());
                           return *n <= baseline
                                      ? core::Poll::Ready()
                                      : core::Poll::NotYet(fmt::format(
                                            "{} connections, {} before the point", *n, baseline));
                         });
}

Result<PointResult> PoolRun::RunPoint(const Point& p) {
  PointResult out;
  out.point = p;
  out.threads = ThreadsFor(options_.threads, p.clients, report_.cpus);
  bool pooled = p.endpoint == EndpointKind::kPooled;

  // PgBouncer counts its console as a client: hold it during the run only when that cannot take
  // a slot from the bench's clients.
  std::optional<PoolerSampler> pooler;
  StatsTotals before;
  if (pooled) {
    out.pooler.emplace();
    PGSTACK_ASSIGN_OR_RETURN(auto console, OpenConsole(endpoints_));
    pooler.emplace(std::move(console), Pooled().dbname, Pooled().user);
    PGSTACK_ASSIGN_OR_RETURN(before, pooler->Stats());
    int max_client = report_.pooler_limits ? report_.pooler_limits->max_client_conn : 0;
    if (max_client > 0 && p.clients + 1 > max_client) {
      pooler.reset();
      out.pooler->note = fmt::format(
          "SHOW POOLS not sampled during the run: {} clients plus pgstack's console connection "
          "would exceed max_client_conn ({})",
          p.clients, max_client);
    } else {
      out.pooler->sampled = true;
    }
  }

  if (pooled && replica_counters_) PGSTACK_RETURN_IF_ERROR(replica_counters_->Start());
  auto baseline = backends_->Count();
  backends_->ResetPeak();
  const std::string label =
      fmt::format("{} {} {} clients", Name(p.endpoint), Name(p.mode), p.clients);
  auto last_progress = std::chrono::steady_clock::now() - kProgressEvery;
  uint64_t last_txns = 0;
  Duration last_elapsed{};

  LoadSpec spec;
  spec.target = pooled ? Pooled() : endpoints_.direct;
  spec.target.application_name = "pgstack bench";
  spec.mode = p.mode;
  spec.clients = p.clients;
  spec.threads = out.threads;
  spec.warmup = options_.warmup;
  spec.duration = options_.duration;
  spec.script = &workload_.script;
  spec.stop = hooks_.stop;
  spec.on_tick = [&](const LoadTick& t) {
    backends_->Sample();
    if (pooler) {
      if (auto pools = pooler->Pools(); pools.ok()) {
        out.pooler->cl_waiting_peak = std::max(out.pooler->cl_waiting_peak, pools->cl_waiting);
        out.pooler->maxwait_ms = std::max(out.pooler->maxwait_ms, pools->maxwait_ms);
        out.pooler->server_connections_peak =
            std::max(out.pooler->server_connections_peak, pools->server_connections());
      }
    }
    auto now = std::chrono::steady_clock::now();
    if (!hooks_.progress || now - last_progress < kProgressEvery) return;
    double dt = std::chrono::duration<double>(t.elapsed - last_elapsed).count();
    double tps = dt > 0 ? (t.transactions - last_txns) / dt : 0;
    const char* phase = t.phase == Phase::kWarmup    ? "warming up"
                        : t.phase == Phase::kMeasure ? "measuring"
                                                     : "finishing";
    hooks_.progress(fmt::format("{}: {} {:.1f}s, {:.0f} tps, {} connected", label, phase,
                                std::chrono::duration<double>(t.elapsed).count(), tps,
                                t.clients_connected));
    last_progress = now;
    last_txns = t.transactions;
    last_elapsed = t.elapsed;
  };
  PGSTACK_ASSIGN_OR_RETURN(out.load, RunLoad(spec));
  backends_->Sample();
  if (backends_->last_error().ok()) out.server_connections_peak = backends_->peak();

  if (pooled) {
    if (!pooler) {
      PGSTACK_ASSIGN_OR_RETURN(auto console, OpenConsole(endpoints_));
      pooler.emplace(std::move(console), Pooled().dbname, Pooled().user);
    }
    PGSTACK_ASSIGN_OR_RETURN(StatsTotals after, pooler->Stats());
    out.pooler->stats = Averages(before, after);
    if (replica_counters_) {
      PGSTACK_ASSIGN_OR_RETURN(out.replicas, replica_counters_->Finish());
    }
  } else if (baseline.ok()) {
    // The next point's server connection peak may then count backends of this one.
    if (Status settled = WaitForBackendsToLeave(*baseline); !settled.ok())
      Notify(hooks_.notice, "note: " + settled.message());
  }
  return out;
}

Result<PoolReport> PoolRun::Run() {
  Status s = Prepare();
  for (const Point& p : Matrix(options_)) {
    if (!s.ok() || Stopped()) break;
    auto r = RunPoint(p);
    if (!r.ok()) {
      s = r.status();
      break;
    }
    report_.results.push_back(std::move(*r));
  }
  Notify(hooks_.progress, "cleaning up");
  if (schema_) {
    if (Status d = schema_->Drop(); s.ok() && !d.ok())
      s = d.WithContext("dropping the bench tables");
  }
  if (log_off_) {
    if (Status r = log_off_->Restore(); s.ok() && !r.ok()) s = r;
  }
  Notify(hooks_.progress, "");
  if (Stopped() || core::Interrupted()) return core::InterruptedStatus("bench pool");
  if (!s.ok()) return s;
  return std::move(report_);
}

}  // namespace

Result<PoolReport> RunPoolBench(const location::Endpoints& endpoints, const PoolOptions& options,
                                const BenchHooks& hooks) {
  PoolRun run(endpoints, options, hooks);
  return run.Run();
}

}  // namespace pgstack::bench
