#include "lint_parse.h"

#include <pg_query.h>

#include <algorithm>
#include <cctype>
#include <span>
#include <vector>

#include "pgstack/migrate/sql_lexer.h"

namespace pgstack::migrate::internal {

ParsedStatement ParseStatement(std::string_view sql) {
  ParsedStatement out;
  std::string text(sql);  // the parser wants a NUL-terminated string
  PgQueryParseResult r = pg_query_parse(text.c_str());
  if (r.error) {
    out.error = r.error->message ? r.error->message : "syntax error";
  } else {
    auto doc = nlohmann::json::parse(r.parse_tree, nullptr, /*allow_exceptions=*/false);
    const auto stmts = doc.is_object() ? doc.find("stmts") : doc.end();
    if (doc.is_object() && stmts != doc.end() && stmts->is_array() && !stmts->empty()) {
      out.ok = true;
      out.stmt = std::move((*stmts)[0]["stmt"]);
    } else {
      out.error = "no statement";
    }
  }
  pg_query_free_parse_result(r);
  return out;
}

std::string_view GrammarVersion() { return PG_VERSION; }

namespace {

// What PostgreSQL 16 and 17 added to the grammar, as runs of words (upper case) that 15's
// grammar has no rule for. A marker that 15 also accepts elsewhere would excuse a real syntax
// error, so each is specific to the new syntax.
constexpr std::string_view kNewerSyntax[][3] = {
    // 16: SQL/JSON constructors and predicates, SYSTEM_USER, GRANT ... WITH INHERIT/SET.
    {"IS", "JSON"},
    {"JSON_OBJECT"},
    {"JSON_ARRAY"},
    {"JSON_OBJECTAGG"},
    {"JSON_ARRAYAGG"},
    {"SYSTEM_USER"},
    {"WITH", "INHERIT"},
    {"WITH", "SET"},
    // 17: JSON_TABLE and the SQL/JSON query functions, MERGE's new clauses, ALTER TABLE's.
    {"JSON_TABLE"},
    {"JSON_EXISTS"},
    {"JSON_QUERY"},
    {"JSON_VALUE"},
    {"JSON_SCALAR"},
    {"JSON_SERIALIZE"},
    {"MERGE_ACTION"},
    {"BY", "SOURCE"},
    {"SET", "EXPRESSION", "AS"},
    {"STATISTICS", "DEFAULT"},
    {"ACCESS", "METHOD", "DEFAULT"},
};

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// The statement's words, upper case; "" stands for any other token, so that runs stay runs.
std::vector<std::string> Words(std::string_view sql) {
  std::vector<Token> tokens;
  std::vector<std::string> words;
  if (Tokenize(sql, tokens)) return words;
  for (const Token& t : tokens) {
    words.push_back(t.kind == TokenKind::kWord ? Upper(sql.substr(t.begin, t.end - t.begin)) : "");
  }
  return words;
}

bool StartsRun(const std::vector<std::string>& words, size_t at,
               std::span<const std::string_view> run) {
  for (size_t k = 0; k < run.size() && !run[k].empty(); ++k) {
    if (at + k >= words.size() || words[at + k] != run[k]) return false;
  }
  return true;
}

std::string RunText(std::span<const std::string_view> run) {
  std::string out;
  for (std::string_view w : run) {
    if (!w.empty()) out += (out.empty() ? "" : " ") + std::string(w);
  }
  return out;
}

}  // namespace

std::string NewerSyntax(std::string_view sql) {
  std::vector<std::string> words = Words(sql);
  for (size_t i = 0; i < words.size(); ++i) {
    for (const auto& run : kNewerSyntax) {
      if (StartsRun(words, i, run)) return RunText(run);
    }
  }
  // MERGE itself is 15's; RETURNING on it is 17's.
  if (!words.empty() && words[0] == "MERGE" &&
      std::find(words.begin(), words.end(), "RETURNING") != words.end()) {
    return "MERGE ... RETURNING";
  }
  return "";
}

}  // namespace pgstack::migrate::internal
