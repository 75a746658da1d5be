// Turning the server's error position (characters into the string sent) back into the
// file:line:column it came from, across our own text and multi-byte characters.
#include <gtest/gtest.h>

#include "migrate/sql_buffer.h"

namespace pgstack::migrate::internal {
namespace {

SqlText Text(const std::string& path, const std::string& sql, int first_line) {
  SqlText t;
  t.path = path;
  t.sql = sql;
  t.first_line = first_line;
  EXPECT_FALSE(SplitStatements(t.sql, t.statements));
  return t;
}

TEST(MigrateSqlBuffer, MapsAServerPositionToFileLineColumn) {
  SqlText a = Text("a.sql", "SELECT 'é';\n", 1);
  SqlText b = Text("b.sql", "SELECT 1;\n  SELECT x FORM t;\n", 5);  // a section from line 5
  SqlBuffer buf;
  buf.Append("BEGIN");
  for (const auto& st : a.statements) buf.AppendStatement(a, st);
  for (const auto& st : b.statements) buf.AppendStatement(b, st);
  // The server counts characters from 1; find "FORM" the way it would.
  std::string sent = buf.str();
  int position = static_cast<int>(CharCount(sent.substr(0, sent.find("FORM")))) + 1;
  EXPECT_EQ(buf.Where(position), "b.sql:6:12");
  EXPECT_EQ(buf.Where(2), "");  // inside our own BEGIN
  Status located = buf.Locate(
      Status::Postgres("syntax error at or near \"FORM\"", "42601", position), "fallback");
  EXPECT_EQ(located.code(), Code::kInvalidInput);
  EXPECT_EQ(located.message(), "b.sql:6:12: syntax error at or near \"FORM\" (SQLSTATE 42601)");
  Status runtime = buf.Locate(Status::Postgres("division by zero", "22012"), "a.sql");
  EXPECT_EQ(runtime.code(), Code::kFailure);
  EXPECT_EQ(runtime.message(), "a.sql: division by zero (SQLSTATE 22012)");
}

TEST(MigrateSqlBuffer, AddsTheMissingSemicolon) {
  SqlText a = Text("a.sql", "SELECT 1 -- no semicolon", 1);
  SqlBuffer buf;
  for (const auto& st : a.statements) buf.AppendStatement(a, st);
  EXPECT_EQ(buf.str(), "SELECT 1;\n");
}

}  // namespace
}  // namespace pgstack::migrate::internal
