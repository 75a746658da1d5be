#include "pgstack/bench/documents.h"

#include <fmt/format.h>

namespace pgstack::bench {

std::string CreateDocumentsTableSql(const std::string& table) {
  return fmt::format("CREATE TABLE {} (id bigint PRIMARY KEY, doc jsonb NOT NULL)", table);
}

std::string InsertDocumentsSql(const std::string& table, long long rows) {
  // h is a per-row hash in [0, 1000); each attribute takes a different slice of it or of i, so
  // that attributes are spread without a random generator (and stay the same between runs).
  return fmt::format(R"sql(
INSERT INTO {table} (id, doc)
SELECT i, jsonb_strip_nulls(jsonb_build_object(
  'test_name', 'test_' || (i % 5000),
  'suite', 'suite_' || (1 + i % {suites}),
  'status', CASE WHEN h < 850 THEN 'passed' WHEN h < 950 THEN 'failed' ELSE 'skipped' END,
  'duration_ms', 5 + (h * 37 + i) % 30000,
  'quarantined', CASE WHEN h % 50 = 7 THEN true END,
  'tags', CASE WHEN h % 50 = 7 THEN jsonb_build_array('flaky', 'tag_' || (i % 40))
               ELSE jsonb_build_array('tag_' || (i % 40), 'tag_' || (7 + i % 13)) END,
  'environment', jsonb_build_object(
      'os', (ARRAY['linux', 'macos', 'windows'])[1 + i % 3],
      'browser', (ARRAY['chromium', 'firefox', 'webkit', 'edge'])[1 + (i / 3) % 4],
      'ci', jsonb_build_object('provider', (ARRAY['github', 'gitlab'])[1 + (i / 12) % 2],
                               'runner', 'runner-' || (i % 64))),
  'error', CASE WHEN h >= 850 AND h < 950 THEN jsonb_build_object(
      'code', 'E' || lpad((1 + i % {codes})::text, 3, '0'),
      'type', (ARRAY['AssertionError', 'TimeoutError', 'ConnectionError'])[1 + i % 3],
      'message', 'expected ' || (i % 97) || ' got ' || (i % 89)) END))
FROM (SELECT i, (hashint8(i) & 2147483647) % 1000 AS h FROM generate_series(1, {rows}) AS i) s
)sql",
                     fmt::arg("table", table), fmt::arg("suites", kSuites),
                     fmt::arg("codes", kErrorCodes), fmt::arg("rows", rows));
}

}  // namespace pgstack::bench
