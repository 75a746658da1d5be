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

}  // namespace pgstack::migrate::internal
