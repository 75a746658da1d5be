#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pgstack/migrate/sql_lexer.h"

namespace pgstack::migrate {
namespace {

std::vector<std::string> Split(std::string_view text) {
  std::vector<Statement> st;
  auto err = SplitStatements(text, st);
  EXPECT_FALSE(err) << err->message;
  std::vector<std::string> out;
  for (const auto& s : st) out.emplace_back(text.substr(s.begin, s.end - s.begin));
  return out;
}

TEST(MigrateSqlLexer, SplitsOnTopLevelSemicolons) {
  EXPECT_EQ(Split("SELECT 1; SELECT 2;\nSELECT 3"),
            (std::vector<std::string>{"SELECT 1;", "SELECT 2;", "SELECT 3"}));
}

TEST(MigrateSqlLexer, SemicolonsInStringsAndIdentifiers) {
  auto s = Split("INSERT INTO \"a;b\" VALUES ('x;y', 'it''s; fine', E'q\\';r');SELECT 2;");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0], "INSERT INTO \"a;b\" VALUES ('x;y', 'it''s; fine', E'q\\';r');");
}

TEST(MigrateSqlLexer, StandardStringsTakeBackslashLiterally) {
  // With standard_conforming_strings a backslash does not escape: 'a\' is a complete string.
  auto s = Split("SELECT 'a\\'; SELECT 'b';");
  ASSERT_EQ(s.size(), 2u);
}

TEST(MigrateSqlLexer, NestedBlockCommentsAndLineComments) {
  auto s = Split("/* outer /* inner; */ still; */ SELECT 1; -- not; a statement\nSELECT 2;");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0], "SELECT 1;");
  EXPECT_EQ(s[1], "SELECT 2;");
}

TEST(MigrateSqlLexer, DollarQuoteInsideAnotherTag) {
  std::string body =
      "CREATE FUNCTION f() RETURNS text AS $b$ SELECT $a$;$a$ || ';'; $$ $b$ LANGUAGE sql;";
  auto s = Split(body + "SELECT 2;");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0], body);
}

TEST(MigrateSqlLexer, PositionalParametersAndDollarInIdentifiers) {
  auto s = Split("PREPARE p AS SELECT $1; SELECT a$b$c FROM t;");
  ASSERT_EQ(s.size(), 2u);
}

TEST(MigrateSqlLexer, BeginAtomicBody) {
  std::string f =
      "CREATE OR REPLACE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT "
      "CASE WHEN true THEN 2 END; END;";
  auto s = Split(f + "\nSELECT 3;");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0], f);
}

TEST(MigrateSqlLexer, RuleWithParenthesisedActions) {
  auto s = Split(
      "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); "
      "INSERT INTO b VALUES (2)); SELECT 1;");
  ASSERT_EQ(s.size(), 2u);
}

TEST(MigrateSqlLexer, CopyDataWithSemicolonsAndQuotes) {
  std::string text = "COPY t (a, b) FROM stdin;\n1\tx;y\n2\tit's \"odd\n\\.\nSELECT 1;";
  std::vector<Statement> st;
  ASSERT_FALSE(SplitStatements(text, st));
  ASSERT_EQ(st.size(), 2u);
  EXPECT_TRUE(st[0].copy_from_stdin);
  EXPECT_EQ(text.substr(st[0].copy_data_begin, st[0].copy_data_end - st[0].copy_data_begin),
            "1\tx;y\n2\tit's \"odd\n");
  EXPECT_EQ(text.substr(st[1].begin, st[1].end - st[1].begin), "SELECT 1;");
}

TEST(MigrateSqlLexer, UnterminatedConstructsAreErrorsWithOffsets) {
  std::vector<Statement> st;
  auto e1 = SplitStatements("SELECT 1;\nSELECT 'abc", st);
  ASSERT_TRUE(e1);
  EXPECT_EQ(e1->offset, 17u);
  st.clear();
  auto e2 = SplitStatements("SELECT $x$ abc $y$;", st);
  ASSERT_TRUE(e2);
  EXPECT_NE(e2->message.find("$x$"), std::string::npos);
  st.clear();
  auto e3 = SplitStatements("/* a /* b */ SELECT 1;", st);
  ASSERT_TRUE(e3);
  EXPECT_EQ(e3->offset, 0u);
}

TEST(MigrateSqlLexer, ClassifiesStatementsThatCannotRunInATransaction) {
  std::vector<Statement> st;
  ASSERT_FALSE(SplitStatements(
      "create unique index concurrently if not exists \"Idx\" on only s.\"T\" (a);"
      "DROP INDEX CONCURRENTLY i; VACUUM t; ALTER SYSTEM SET x = 1; REINDEX INDEX CONCURRENTLY i;"
      "CREATE INDEX i ON t (a); BEGIN; COMMIT; SET search_path = x; SET LOCAL a = 1;",
      st));
  ASSERT_EQ(st.size(), 10u);
  EXPECT_EQ(st[0].kind, StatementKind::kNoTransaction);
  EXPECT_EQ(st[0].concurrent_index, "\"Idx\"");
  EXPECT_EQ(st[0].concurrent_index_table, "s.\"T\"");
  for (int i = 1; i <= 4; ++i) EXPECT_EQ(st[i].kind, StatementKind::kNoTransaction) << i;
  EXPECT_EQ(st[5].kind, StatementKind::kOrdinary);
  EXPECT_TRUE(st[6].is_begin);
  EXPECT_TRUE(st[7].is_commit);
  EXPECT_TRUE(st[8].changes_settings);
  EXPECT_TRUE(st[9].changes_settings);  // SET LOCAL ROLE too changes whose rights what follows has
  EXPECT_FALSE(st[5].changes_settings);
}

TEST(MigrateSqlLexer, WhatMayChangeSettingsIsMarked) {
  std::vector<Statement> st;
  ASSERT_FALSE(
      SplitStatements("RESET ALL; SET ROLE r; SELECT Set_Config('search_path', 'x', false);"
                      "DO $$ BEGIN PERFORM set_config('a.b', '1', false); END $$;"
                      "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE; SET CONSTRAINTS ALL DEFERRED;"
                      "INSERT INTO settings VALUES ('set');",
                      st));
  ASSERT_EQ(st.size(), 7u);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(st[i].changes_settings) << i;
  for (int i = 4; i < 7; ++i) EXPECT_FALSE(st[i].changes_settings) << i;
}

TEST(MigrateSqlLexer, LineColumnCountsCharacters) {
  std::string text = "SELECT 1;\n  SELECT 'é', x;";
  LineColumn lc = LineColumnAt(text, text.find('x'));
  EXPECT_EQ(lc.line, 2);
  EXPECT_EQ(lc.column, 15);  // é is two bytes, one character
  EXPECT_EQ(ByteOffsetOfChar(text, CharCount("SELECT 1;\n  SELECT 'é', ")), text.find('x'));
}

TEST(MigrateSqlLexer, InvalidUtf8) {
  EXPECT_FALSE(InvalidUtf8At("plain é ✓"));
  EXPECT_EQ(InvalidUtf8At(std::string("ab\xff") + "c"), 2u);
  EXPECT_EQ(InvalidUtf8At("ab\xc3"), 2u);
}

}  // namespace
}  // namespace pgstack::migrate
