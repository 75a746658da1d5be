// pgstack bench pool | jsonb: flags into options, the library runs, the reporter prints.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "action_table.h"
#include "commands.h"
#include "pgstack/bench/jsonb_bench.h"
#include "pgstack/bench/pool_report.h"
#include "pgstack/core/files.h"
#include "pgstack/core/interrupt.h"
#include "pgstack/stack/stack.h"

namespace pgstack::cli {
namespace {

bench::BenchHooks Hooks(Context& ctx) {
  bench::BenchHooks h;
  // Said on stderr so that it is seen with --json too.
  h.notice = [&ctx](const std::string& s) { ctx.out.Notice(s); };
  h.progress = [&ctx](const std::string& s) { ctx.out.Progress(s); };
  // Ctrl-C ends the run early; the bench still drops its tables and restores log_statement.
  h.stop = &core::InterruptedFlag();
  return h;
}

// Where the bench runs.
Result<location::Endpoints> Start(Context& ctx, const Status& parsed) {
  PGSTACK_RETURN_IF_ERROR(parsed);
  PGSTACK_ASSIGN_OR_RETURN(core::Environment env, ctx.LoadEnv());
  PGSTACK_ASSIGN_OR_RETURN(auto endpoints, location::ResolveEndpoints(env, ctx.global.state_dir));
  return endpoints;
}

// --svg is checked before the benchmark, not only after it: a file is created beside the chart
// and removed again.
Status CheckSvgPath(const std::string& path) {
  if (path.empty()) return Status::Ok();
  std::filesystem::path p(path);
  std::error_code ec;
  if (std::filesystem::is_directory(p, ec)) {
    return Status::InvalidInput("--svg " + path + ": is a directory");
  }
  std::filesystem::path dir = p.has_parent_path() ? p.parent_path() : std::filesystem::path(".");
  std::string probe = (dir / fmt::format(".pgstack-svg-probe-{}", getpid())).string();
  int fd = open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::InvalidInput(
        fmt::format("--svg {}: cannot write there: {}", path, std::strerror(errno)));
  }
  close(fd);
  unlink(probe.c_str());
  return Status::Ok();
}

struct Flags {
  bench::PoolFlags pool;
  long long rows = bench::JsonbOptions{}.rows;
  int runs = bench::JsonbOptions{}.runs;
};

int RunPool(Context& ctx, const Flags& f) {
  auto options = bench::ParsePoolFlags(f.pool);
  if (options.ok()) {
    if (Status s = CheckSvgPath(options->svg); !s.ok()) return ctx.out.Fail(s);
  }
  auto endpoints = Start(ctx, options.status());
  if (!endpoints.ok()) return ctx.out.Fail(endpoints.status());
  auto report = bench::RunPoolBench(*endpoints, *options, Hooks(ctx));
  if (!report.ok()) return ctx.out.Fail(report.status());
  if (!options->svg.empty()) {
    Status s = core::WriteFileAtomic(options->svg, bench::PoolChartSvg(*report), 0644);
    if (!s.ok()) return ctx.out.Fail(s.WithContext("--svg"));
  }
  ctx.out.Json(bench::PoolReportJson(*report));
  ctx.out.Line("workload: " + report->workload_description);
  ctx.out.Line("");
  for (const auto& line : bench::PoolTable(*report)) ctx.out.Line(line);
  ctx.out.Line("");
  for (const auto& para : bench::ExplainPool(*report)) {
    ctx.out.Paragraph(para);
    ctx.out.Line("");
  }
  if (!options->svg.empty()) ctx.out.Line("chart: " + options->svg);
  return 0;
}

int RunJsonb(Context& ctx, const Flags& f) {
  auto options = bench::ParseJsonbFlags(f.rows, f.runs);
  auto endpoints = Start(ctx, options.status());
  if (!endpoints.ok()) return ctx.out.Fail(endpoints.status());
  auto report = bench::RunJsonbBench(*endpoints, *options, Hooks(ctx));
  if (!report.ok()) return ctx.out.Fail(report.status());
  ctx.out.Json(bench::JsonbReportJson(*report));
  for (const auto& line : bench::JsonbTable(*report)) ctx.out.Line(line);
  return 0;
}

void AddPoolFlags(CLI::App& pool, Flags& f) {
  bench::PoolFlags& flags = f.pool;
  pool.add_option("--endpoint", flags.endpoints, "direct, pooled, or both (comma-separated)")
      ->capture_default_str()
      ->each([&flags](const std::string&) { flags.endpoints_given = true; });
  pool.add_option("--mode", flags.modes,
                  "persistent, per-transaction (a new connection per transaction, pgbench -C)")
      ->capture_default_str();
  pool.add_option("--clients", flags.clients, "client counts, comma-separated")
      ->capture_default_str();
  pool.add_option("--workload", flags.workload, "select, write or jsonb")
      ->capture_default_str()
      ->each([&flags](const std::string&) { flags.workload_given = true; });
  pool.add_option("--sql", flags.sql, "run this statement instead of a workload");
  pool.add_option("--duration", flags.duration, "measured time per point (10s, 500ms, 1m)")
      ->capture_default_str();
  pool.add_option("--warmup", flags.warmup, "unmeasured time before each point")
      ->capture_default_str();
  pool.add_option("--threads", flags.threads, "load threads (default: one per CPU)");
  pool.add_option("--svg", flags.svg, "write a chart of TPS and p99 latency to FILE");
  pool.add_flag("--log-statement-off", flags.log_statement_off,
                "when the server logs every statement, turn that off for the run (ALTER SYSTEM, "
                "needs a superuser) and back on after");
  pool.add_flag("--read-only", flags.read_only,
                "pooled points through the read pool (<database>_ro, up --replicas N), with the "
                "share of transactions each replica served");
}

void AddJsonbFlags(CLI::App& jsonb, Flags& f) {
  jsonb.add_option("--rows", f.rows, "documents to generate")->capture_default_str();
  jsonb.add_option("--runs", f.runs, "timed runs per query and index")->capture_default_str();
}

// Each action checks its flags, then reaches the database itself (Start).
constexpr Action<Flags> kActions[] = {
    {"pool", "load-test the server directly and through PgBouncer (a matrix of points)",
     Needs::kDatabase, AddPoolFlags, RunPool},
    {"jsonb", "JSONB query shapes without an index, with GIN jsonb_ops and jsonb_path_ops",
     Needs::kDatabase, AddJsonbFlags, RunJsonb},
};

}  // namespace

RunFn RegisterBench(CLI::App& sub, Context& ctx) {
  return RegisterActions(sub, ctx, kActions, std::make_shared<Flags>());
}

}  // namespace pgstack::cli
