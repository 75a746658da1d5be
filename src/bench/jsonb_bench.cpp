#include "pgstack/bench/jsonb_bench.h"

#include <fmt/format.h>

#include <chrono>

#include "pgstack/bench/documents.h"
#include "pgstack/bench/scratch_schema.h"
#include "pgstack/core/elapsed.h"
#include "pgstack/core/interrupt.h"
#include "pgstack/core/parse_int.h"
#include "pgstack/pg/connection.h"
#include "pgstack/pg/explain.h"
#include "pgstack/pg/interruptible.h"

namespace pgstack::bench {
namespace {

constexpr long long kMinRows = 100;
constexpr long long kMaxRows = 10'000'000;
constexpr int kMinRuns = 3;
// A slow query (a sequential scan over many rows) stops repeating after this long.
constexpr auto kTimePerQuery = std::chrono::seconds(3);

}  // namespace

Result<JsonbOptions> ParseJsonbFlags(long long rows, int runs) {
  if (rows < kMinRows || rows > kMaxRows) {
    return Status::InvalidInput(
        fmt::format("--rows: give a row count from {} to {}", kMinRows, kMaxRows));
  }
  if (runs < kMinRuns || runs > 10000) {
    return Status::InvalidInput(fmt::format("--runs: give a count from {} to 10000", kMinRuns));
  }
  return JsonbOptions{rows, runs};
}

const std::vector<JsonbQuery>& JsonbQueries() {
  static const std::vector<JsonbQuery> kQueries = {
      {"field_equals", "->> equality", "doc->>'test_name' = 'test_4242'",
       "no GIN index serves ->> equality: a btree expression index on (doc->>'test_name') would"},
      {"key_exists", "? existence", "doc ? 'quarantined'",
       "jsonb_path_ops cannot serve ?, jsonb_ops can"},
      {"contains", "@> containment", "doc @> '{\"status\": \"failed\", \"suite\": \"suite_42\"}'",
       ""},
      {"nested_path", "nested -> ->> equality", "doc->'error'->>'code' = 'E042'",
       "no GIN index serves a ->/->> path: ask the same with @> (next row) or a jsonpath"},
      {"nested_contains", "nested @> containment", "doc @> '{\"error\": {\"code\": \"E042\"}}'",
       ""},
      {"jsonpath", "jsonpath @? on a nested path",
       "doc @? '$.environment.ci ? (@.runner == \"runner-7\" && @.provider == \"gitlab\")'", ""},
  };
  return kQueries;
}

Result<JsonbReport> RunJsonbBench(const location::Endpoints& endpoints, const JsonbOptions& options,
                                  const BenchHooks& hooks) {
  auto progress = [&](const std::string& s) {
    if (hooks.progress) hooks.progress(s);
  };
  auto stopped = [&] { return hooks.stop && hooks.stop->load(); };
  JsonbReport report;
  report.rows = options.rows;
  PGSTACK_ASSIGN_OR_RETURN(auto conn, pg::Connection::Open(endpoints.direct));
  SilenceNotices(conn);
  PGSTACK_ASSIGN_OR_RETURN(auto ls, conn.Exec("SELECT current_setting('log_statement')"));
  report.log_statement = ls.scalar();
  PGSTACK_ASSIGN_OR_RETURN(auto schema, ScratchSchema::Create(endpoints.direct));
  const std::string table = schema.name() + ".results";

  progress(fmt::format("generating {} documents", options.rows));
  auto t0 = std::chrono::steady_clock::now();
  PGSTACK_RETURN_IF_ERROR(conn.Run(CreateDocumentsTableSql(table)));
  PGSTACK_RETURN_IF_ERROR(pg::RunInterruptible(conn, InsertDocumentsSql(table, options.rows)));
  PGSTACK_RETURN_IF_ERROR(pg::RunInterruptible(conn, "VACUUM ANALYZE " + table));
  report.load_ms = core::MsSince(t0);
  PGSTACK_ASSIGN_OR_RETURN(auto size, conn.Exec("SELECT pg_table_size($1::regclass)", {table}));
  PGSTACK_ASSIGN_OR_RETURN(report.table_bytes,
                           core::ParseInt<long long>(size.scalar(), "pg_table_size"));

  report.indexes = {{"none", ""},
                    {"gin jsonb_ops", "USING gin (doc)"},
                    {"gin jsonb_path_ops", "USING gin (doc jsonb_path_ops)"}};
  const auto& queries = JsonbQueries();
  std::vector<long long> expected(queries.size(), -1);
  for (size_t ix = 0; ix < report.indexes.size(); ++ix) {
    JsonbIndex& index = report.indexes[ix];
    // One index at a time, so that the planner can only choose the one being measured.
    PGSTACK_RETURN_IF_ERROR(conn.Run("DROP INDEX IF EXISTS " + schema.name() + ".results_doc"));
    if (!index.definition.empty()) {
      progress("building " + index.name);
      auto b = std::chrono::steady_clock::now();
      PGSTACK_RETURN_IF_ERROR(pg::RunInterruptible(
          conn, "CREATE INDEX results_doc ON " + table + " " + index.definition));
      index.build_ms = core::MsSince(b);
      PGSTACK_RETURN_IF_ERROR(pg::RunInterruptible(conn, "ANALYZE " + table));
      PGSTACK_ASSIGN_OR_RETURN(auto isz, conn.Exec("SELECT pg_relation_size($1::regclass)",
                                                   {schema.name() + ".results_doc"}));
      PGSTACK_ASSIGN_OR_RETURN(index.size_bytes,
                               core::ParseInt<long long>(isz.scalar(), "pg_relation_size"));
    }
    for (size_t q = 0; q < queries.size(); ++q) {
      if (stopped()) return core::InterruptedStatus("bench jsonb");
      progress(fmt::format("{}: {}", index.name, queries[q].shape));
      const std::string sql = "SELECT count(*) FROM " + table + " WHERE " + queries[q].predicate;
      JsonbMeasurement m;
      m.query = q;
      m.index = ix;
      PGSTACK_ASSIGN_OR_RETURN(pg::ExplainedPlan plan, pg::Explain(conn, sql, /*analyze=*/false));
      m.explain = std::move(plan.json);
      // The innermost scan is the one that reads the table.
      m.plan_node = plan.scans.empty() ? "" : plan.scans.front().Describe();
      m.index_used = m.plan_node.find("Index") != std::string::npos;
      PGSTACK_ASSIGN_OR_RETURN(auto warm, conn.Exec(sql));  // caches warm, as for the others
      PGSTACK_ASSIGN_OR_RETURN(m.rows_matched,
                               core::ParseInt<long long>(warm.scalar(), queries[q].id + " count"));
      auto began = std::chrono::steady_clock::now();
      while (m.runs < options.runs &&
             (m.runs < kMinRuns || std::chrono::steady_clock::now() - began < kTimePerQuery)) {
        auto t = std::chrono::steady_clock::now();
        PGSTACK_RETURN_IF_ERROR(conn.Run(sql));
        m.latency.Record(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                   std::chrono::steady_clock::now() - t)
                                                   .count()));
        ++m.runs;
      }
      if (expected[q] >= 0 && expected[q] != m.rows_matched) {
        return Status::Failure(fmt::format("{} with {} matched {} rows, without an index {}",
                                           queries[q].id, index.name, m.rows_matched, expected[q]));
      }
      expected[q] = m.rows_matched;
      report.measurements.push_back(std::move(m));
    }
  }
  progress("cleaning up");
  PGSTACK_RETURN_IF_ERROR(schema.Drop());
  progress("");
  return report;
}

}  // namespace pgstack::bench
