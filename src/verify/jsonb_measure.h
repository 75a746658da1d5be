// The JSONB index measurement behind jsonb.gin_index and jsonb.performance: a realistic table
// of documents, generated on the server (generate_series) in a temporary table inside a
// transaction that is rolled back; a selective containment query timed by a sequential scan
// (before the index exists) and again after a GIN index is built and the table analysed, with
// the planner left to choose (no enable_* settings touched).
#pragma once

#include <string>

#include "pgstack/core/status.h"
#include "pgstack/pg/connection.h"

namespace pgstack::verify {

struct JsonbMeasurement {
  int rows = 0;                  // documents in the table
  long long seq_matches = -1;    // rows the query returned by sequential scan
  long long index_matches = -1;  // and with the index in place
  double seq_ms = 0;             // best server execution time of the query, sequential scan
  double index_ms = 0;           // best server execution time once the GIN index exists
  double build_ms = 0;           // CREATE INDEX ... USING GIN, as the client saw it
  std::string index_name;
  bool index_valid = false;  // pg_index.indisvalid of the new index
  std::string index_method;  // its access method ("gin")
  bool index_used = false;   // the planner's plan scans index_name
  std::string plan;          // "Bitmap Index Scan on <index>", or every scan when unused
};

// Measures on conn (the application role, straight to the server). Leaves nothing behind.
Result<JsonbMeasurement> MeasureJsonb(pg::Connection& conn, int rows);

}  // namespace pgstack::verify
