#include "jsonb_measure.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "pgstack/core/elapsed.h"
#include "pgstack/pg/explain.h"
#include "transaction.h"

namespace pgstack::verify {
namespace {

constexpr std::string_view kTable = "pgstack_verify_jsonb";
constexpr std::string_view kIndex = "pgstack_verify_jsonb_gin";
constexpr int kRuns = 3;  // best of: the first run also warms the buffers

// Documents shaped like an application's: scalars of several types, a nested object and an
// array. One city in 500 matches the probe query, so it is selective as real lookups are.
constexpr std::string_view kCreate = R"sql(
CREATE TEMPORARY TABLE pgstack_verify_jsonb (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    data jsonb NOT NULL
) ON COMMIT DROP)sql";
constexpr std::string_view kFill = R"sql(
INSERT INTO pgstack_verify_jsonb (data)
SELECT jsonb_build_object(
    'name', 'user ' || i,
    'age', 18 + i % 60,
    'active', i % 3 <> 0,
    'address', jsonb_build_object('city', 'city ' || i % 500, 'country', 'country ' || i % 20),
    'tags', jsonb_build_array('tag ' || i % 50, 'tag ' || (50 + i % 7)),
    'preferences', jsonb_build_object('theme', CASE WHEN i % 2 = 0 THEN 'dark' ELSE 'light' END))
FROM generate_series(1, $1::int) AS i)sql";
constexpr std::string_view kQuery =
    R"sql(SELECT id, data->>'name' FROM pgstack_verify_jsonb WHERE data @> '{"address": {"city": "city 42"}}')sql";

struct Explained {
  double ms = 0;
  long long rows = 0;
  std::string scans;  // scan nodes, innermost first
  bool uses_index = false;
};

// EXPLAIN ANALYZE without per-node timing: the server's execution time of the query and its
// scan nodes, best of kRuns. A scan of our index is all that is shown when there is one (the
// heap scan above it adds nothing).
Result<Explained> Explain(pg::Connection& conn) {
  Explained best;
  best.ms = -1;
  for (int i = 0; i < kRuns; ++i) {
    PGSTACK_ASSIGN_OR_RETURN(pg::ExplainedPlan plan, pg::Explain(conn, kQuery, /*analyze=*/true));
    Explained e;
    e.ms = plan.execution_ms;
    e.rows = plan.actual_rows;
    for (const pg::PlanScan& scan : plan.scans) {
      if (scan.index == kIndex) {
        e.uses_index = true;
        e.scans = scan.Describe();
        break;
      }
      e.scans += (e.scans.empty() ? "" : ", ") + scan.Describe();
    }
    if (best.ms < 0 || e.ms < best.ms) best = e;
  }
  return best;
}

}  // namespace

Result<JsonbMeasurement> MeasureJsonb(pg::Connection& conn, int rows) {
  JsonbMeasurement m;
  m.rows = rows;
  m.index_name = kIndex;
  Status st = InRolledBackTransaction(conn, [&]() -> Status {
    PGSTACK_RETURN_IF_ERROR(conn.Run(kCreate));
    PGSTACK_RETURN_IF_ERROR(conn.Run(kFill, {std::to_string(rows)}));
    PGSTACK_ASSIGN_OR_RETURN(Explained seq, Explain(conn));
    m.seq_ms = seq.ms;
    m.seq_matches = seq.rows;

    auto t0 = std::chrono::steady_clock::now();
    PGSTACK_RETURN_IF_ERROR(
        conn.Run(fmt::format("CREATE INDEX {} ON {} USING GIN (data)", kIndex, kTable)));
    m.build_ms = core::MsSince(t0);
    // What autovacuum would have done to a real table by now; temporary tables get no autovacuum.
    PGSTACK_RETURN_IF_ERROR(conn.Run(fmt::format("ANALYZE {}", kTable)));
    PGSTACK_ASSIGN_OR_RETURN(
        pg::QueryResult idx,
        conn.Exec("SELECT i.indisvalid, am.amname FROM pg_index i "
                  "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam "
                  "WHERE i.indexrelid = $1::regclass",
                  {std::string(kIndex)}));
    if (idx.rows() == 1) {
      m.index_valid = idx.get(0, "indisvalid") == "t";
      m.index_method = std::string(idx.get(0, "amname"));
    }
    PGSTACK_ASSIGN_OR_RETURN(Explained indexed, Explain(conn));
    m.index_ms = indexed.ms;
    m.index_matches = indexed.rows;
    m.index_used = indexed.uses_index;
    m.plan = indexed.scans;
    return Status::Ok();
  });
  if (!st.ok()) return st.WithContext("JSONB measurement");
  return m;
}

}  // namespace pgstack::verify
