// EXPLAIN (FORMAT JSON) and SQL literals, without a server.
#include <gtest/gtest.h>

#include "pgstack/pg/explain.h"
#include "pgstack/pg/sql_literal.h"

namespace pgstack::pg {
namespace {

TEST(PgExplain, FindsTheScansInnermostFirst) {
  // EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) of a count over a bitmap scan, as PostgreSQL 17
  // writes it (abridged).
  const char* text = R"([
  {
    "Plan": {
      "Node Type": "Aggregate", "Actual Rows": 1,
      "Plans": [
        {"Node Type": "Bitmap Heap Scan", "Relation Name": "results", "Parent Relationship": "Outer",
         "Plans": [
           {"Node Type": "Bitmap Index Scan", "Index Name": "results_doc"}
         ]}
      ]
    },
    "Execution Time": 1.25
  }
])";
  auto plan = ParseExplainJson(text);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  ASSERT_EQ(plan->scans.size(), 2u);
  EXPECT_EQ(plan->scans[0].Describe(), "Bitmap Index Scan on results_doc");
  EXPECT_EQ(plan->scans[1].Describe(), "Bitmap Heap Scan on results");
  EXPECT_DOUBLE_EQ(plan->execution_ms, 1.25);
  EXPECT_EQ(plan->actual_rows, 1);
  EXPECT_EQ(plan->json, text);
}

TEST(PgExplain, ParallelScansSaySo) {
  auto plan = ParseExplainJson(
      R"([{"Plan": {"Node Type": "Gather", "Plans": [{"Node Type": "Seq Scan",
           "Parallel Aware": true, "Relation Name": "results"}]}}])");
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->scans.size(), 1u);
  EXPECT_EQ(plan->scans[0].Describe(), "Parallel Seq Scan on results");
}

TEST(PgExplain, WhatIsNotAPlanIsAnError) {
  for (const char* bad : {"", "QUERY PLAN", "[]", "{}", "[{\"Planning Time\": 1}]"}) {
    EXPECT_FALSE(ParseExplainJson(bad).ok()) << bad;
  }
}

TEST(PgSqlIdent, QuotesAndDoublesEmbeddedQuotes) {
  EXPECT_EQ(SqlIdent("btree_gin"), "\"btree_gin\"");
  EXPECT_EQ(SqlIdent("a\"b"), "\"a\"\"b\"");
}

TEST(PgSqlLiteral, ReadsBackExactlyWhateverStandardConformingStrings) {
  EXPECT_EQ(SqlLiteral("on"), "'on'");
  EXPECT_EQ(SqlLiteral("it's"), "'it''s'");
  EXPECT_EQ(SqlLiteral("C:\\data's"), "E'C:\\\\data''s'");
}

}  // namespace
}  // namespace pgstack::pg
