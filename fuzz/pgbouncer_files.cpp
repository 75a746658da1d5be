// PgBouncer's userlist and ini parsers on any text. Invariants: no crash on any text; a userlist
// line rendered from any user and secret (the first two 0xFF-separated pieces) parses back to
// them, also from a whole userlist holding other lines.
#include "pgstack/core/pgbouncer_files.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "require.h"

using namespace pgstack;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  (void)core::ParsePgBouncerIni(text);
  size_t start = 0;
  while (start <= text.size()) {
    size_t eol = text.find('\n', start);
    (void)core::ParseUserlistLine(std::string_view(text).substr(start, eol - start));
    if (eol == std::string::npos) break;
    start = eol + 1;
  }
  (void)core::UserlistSecret(text, "postgres");

  size_t a = text.find('\xFF');
  if (a == std::string::npos) return 0;
  size_t b = text.find('\xFF', a + 1);
  std::string user = text.substr(0, a);
  std::string secret = text.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
  // A userlist line is one line: PgBouncer has no way to write a newline in a name or secret.
  if (user.find_first_of("\r\n") != std::string::npos ||
      secret.find_first_of("\r\n") != std::string::npos) {
    return 0;
  }
  std::string line = core::RenderUserlist(user, secret);
  auto parsed = core::ParseUserlistLine(line.substr(0, line.find('\n')));
  Require(parsed && parsed->first == user && parsed->second == secret,
          "a rendered userlist line does not parse back");
  // UserlistSecret gives the first entry of a user: the line before must be someone else's.
  if (!user.empty() && user != "other") {
    std::string others = "\"other\" \"x\"\n;comment\n" + line;
    auto found = core::UserlistSecret(others, user);
    Require(found && *found == secret, "UserlistSecret misses a rendered line");
  }
  return 0;
}
