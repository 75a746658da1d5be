// PostgreSQL's own grammar (libpg_query) for the linter: one statement's text in, its parse
// tree as JSON out, or why it did not parse.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace pgstack::migrate::internal {

// NOLINTNEXTLINE(bugprone-exception-escape): nlohmann::json moves without throwing
struct ParsedStatement {
  bool ok = false;
  // The statement node: {"AlterTableStmt": {...}} (libpg_query's JSON: fields at their default
  // value, 0, false or empty, are left out).
  nlohmann::json stmt;
  std::string error;  // when !ok: the parser's message
};

ParsedStatement ParseStatement(std::string_view sql);

// The grammar's PostgreSQL version ("15.1"), for messages.
std::string_view GrammarVersion();

// For a statement the grammar rejected: the syntax of PostgreSQL 16 or 17 it uses, which the
// grammar (15's) does not know ("JSON_TABLE", "MERGE ... RETURNING"), or "" when it uses none
// (then the statement is wrong for PostgreSQL 17 too). Read from the statement's words, outside
// strings and comments, against a short list of what 16 and 17 added to the grammar; syntax
// newer than the list is reported as an error, never let through unseen.
std::string NewerSyntax(std::string_view sql);

}  // namespace pgstack::migrate::internal
