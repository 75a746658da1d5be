// The migration directory readers on any names and contents. The input is a format selector
// byte (auto-detection, or one of the formats forced) and files separated by 0xFF bytes, each
// "name\ncontent" ("name/" is a directory, as diesel's). Contents are handed over as if read
// ahead, so no file is touched (Flyway's placeholders are substituted with fixed values).
// Invariants: every error is bad input with a message; every
// statement read lies inside its text and can be located; versions come out sorted and unique.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "migrate/format_table.h"
#include "require.h"

using namespace pgstack;
using namespace pgstack::migrate;
using namespace pgstack::migrate::internal;

namespace {

void RequireBadInput(const Status& s) {
  Require(s.code() == Code::kInvalidInput && !s.message().empty(), "an error that is no bad input");
}

void RequireLocatable(const SqlText& t) {
  for (const auto& s : t.statements) {
    Require(s.begin < s.end && s.end <= t.sql.size(), "statement outside its text");
    Require(!t.Where(s.begin).empty(), "statement without a location");
  }
}

constexpr const char* kDir = "/nonexistent-pgstack-fuzz";

// Fixed, so that a run does not depend on the process environment.
const FlywayPlaceholders& Placeholders() {
  static const FlywayPlaceholders p =
      MakeFlywayPlaceholders({{"name", "value"}, {"empty", ""}}, {.user = "u", .database = "d"},
                             std::vector<std::string>{"FLYWAY_PLACEHOLDERS_FROM_ENV=x"});
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::vector<DirEntry> entries;
  while (!in.empty() && entries.size() < 64) {
    size_t sep = in.find('\xFF');
    std::string_view rec = in.substr(0, sep);
    in = sep == std::string_view::npos ? std::string_view() : in.substr(sep + 1);
    size_t nl = rec.find('\n');
    DirEntry e;
    e.name = std::string(rec.substr(0, nl));
    if (e.name.empty() || e.name.find('/') < e.name.size() - 1) continue;
    if (e.name.back() == '/') {
      e.name.pop_back();
      e.is_dir = true;
    } else {
      std::string content(nl == std::string_view::npos ? "" : rec.substr(nl + 1));
      auto checked = CheckedFileText(std::string(kDir) + "/" + e.name, std::move(content));
      if (!checked.ok()) {
        RequireBadInput(checked.status());
        continue;
      }
      e.content = std::move(checked).value();
    }
    entries.push_back(std::move(e));
  }

  unsigned selector = data[0] % (FormatTable().size() + 1);
  Format format = Format::kPgstack;
  if (selector < FormatTable().size()) {
    format = FormatTable()[selector].format;
  } else {
    for (const auto& e : entries) {
      auto f = EntryFormat(kDir, e);
      if (!f.ok()) return RequireBadInput(f.status()), 0;
      if (*f) {
        format = **f;
        break;
      }
    }
  }
  // The high bit of the selector reads golang-migrate's names with sqlx's directive, as sqlx's
  // reversible migrations are read.
  Result<std::vector<Migration>> read = format == Format::kGolangMigrate && (data[0] & 0x80)
                                            ? ReadUpDownPairs(kDir, entries, true)
                                            : SpecOf(format).read({kDir, entries, Placeholders()});
  if (!read.ok()) return RequireBadInput(read.status()), 0;
  std::vector<Migration> ms = std::move(read).value();
  Status sorted = SortAndCheck(ms);
  if (!sorted.ok()) return RequireBadInput(sorted), 0;
  for (size_t i = 0; i < ms.size(); ++i) {
    RequireLocatable(ms[i].up);
    if (ms[i].down) RequireLocatable(*ms[i].down);
    if (i > 0) Require(ms[i - 1].key() != ms[i].key(), "duplicate key after SortAndCheck");
    (void)ms[i].UpMode();
    (void)ms[i].DownMode();
  }
  return 0;
}
