#include "lint_parse.h"

#include <pg_query.h>

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

}  // namespace pgstack::migrate::internal
