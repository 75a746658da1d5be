// Files with an up and a down section in one "<version>_<name>.sql": dbmate ("-- migrate:up",
// "-- migrate:down", option "transaction:false") and pgstack's own format ("-- pgstack:up",
// "-- pgstack:down", directives in docs/migrations.md).
#include <fmt/format.h>

#include <sstream>

#include "format_table.h"
#include "pgstack/core/duration.h"

namespace pgstack::migrate::internal {
namespace {

constexpr std::string_view kPgstackTemplate =
    "-- pgstack:up\n"
    "-- Directives may follow \"up\" on the line above: no-transaction, lock-timeout=10s,\n"
    "-- statement-timeout=5min. See docs/migrations.md.\n"
    "\n"
    "-- pgstack:down\n"
    "\n";
constexpr std::string_view kDbmateTemplate = "-- migrate:up\n\n-- migrate:down\n\n";

Result<std::vector<Migration>> ReadSectioned(const ReadInput& in, Format format) {
  const SectionMarkers& markers = SpecOf(format).markers;
  std::vector<Migration> out;
  for (const auto& e : in.entries) {
    std::string path = in.dir + "/" + e.name;
    auto numbered = NumberedSqlName(e)
                        ? SplitNumbered(std::string_view(e.name).substr(0, e.name.size() - 4))
                        : std::nullopt;
    if (!numbered) {
      return Status::InvalidInput(
          fmt::format("{}: not a {} name (<version>_<name>.sql)", path, FormatName(format)));
    }
    PGSTACK_ASSIGN_OR_RETURN(std::string content, EntryContent(in.dir, e));
    auto sections = SplitSections(content, markers.up, markers.down);
    if (!sections) {
      return Status::InvalidInput(fmt::format("{}:1: no '{}' line", path, markers.up));
    }
    Migration m;
    m.version = numbered->first;
    m.name = numbered->second;
    std::string where_up = fmt::format("{}:{}", path, sections->up.first_line - 1);
    PGSTACK_ASSIGN_OR_RETURN(m.up_options, markers.options(sections->up.options, where_up));
    // dbmate runs a section without a statement as it is (a no-op); pgstack's own format
    // refuses an empty up when `up` would run it (unwritten), so that a fresh `migrate new`
    // blocks nothing else.
    bool dbmate = format == Format::kDbmate;
    PGSTACK_ASSIGN_OR_RETURN(m.up, MakeSqlText(path, sections->up.text, sections->up.first_line));
    m.unwritten = !dbmate && m.up.statements.empty();
    if (sections->down.present) {
      std::string where_down = fmt::format("{}:{}", path, sections->down.first_line - 1);
      PGSTACK_ASSIGN_OR_RETURN(m.down_options, markers.options(sections->down.options, where_down));
      if (dbmate) {
        PGSTACK_ASSIGN_OR_RETURN(m.down,
                                 MakeSqlText(path, sections->down.text, sections->down.first_line));
      } else {
        PGSTACK_ASSIGN_OR_RETURN(m.down,
                                 MakeDownSql(path, sections->down.text, sections->down.first_line));
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

// One marker line and its section's SQL, ending with a newline.
std::string Section(std::string_view marker, std::string_view no_transaction_word,
                    const std::optional<DraftSection>& s) {
  std::string out(marker);
  if (s && s->no_transaction) out += fmt::format(" {}", no_transaction_word);
  out += '\n';
  if (s && !s->sql.empty()) out += s->sql + (s->sql.ends_with('\n') ? "" : "\n");
  return out;
}

std::vector<DraftFile> WriteSectioned(const Draft& d, Format format,
                                      std::string_view no_transaction_word,
                                      std::string_view placeholder) {
  std::string path = fmt::format("{}/{}_{}.sql", d.dir, d.version, d.name);
  if (!d.up && !d.down) return {{path, std::string(placeholder)}};
  const SectionMarkers& markers = SpecOf(format).markers;
  return {{path, Section(markers.up, no_transaction_word, d.up) + "\n" +
                     Section(markers.down, no_transaction_word, d.down)}};
}

}  // namespace

Result<FileOptions> PgstackMarkerWords(std::string_view words, const std::string& where) {
  FileOptions o;
  std::istringstream in{std::string(words)};
  std::string word;
  while (in >> word) {
    if (word == "no-transaction") {
      o.no_transaction = true;
    } else if (StartsWith(word, "lock-timeout=")) {
      PGSTACK_ASSIGN_OR_RETURN(auto d, core::ParseDuration(word.substr(13), where));
      o.lock_timeout_ms = static_cast<int>(d.count());
    } else if (StartsWith(word, "statement-timeout=")) {
      PGSTACK_ASSIGN_OR_RETURN(auto d, core::ParseDuration(word.substr(18), where));
      o.statement_timeout_ms = static_cast<int>(d.count());
    } else {
      return Status::InvalidInput(
          fmt::format("{}: unknown directive '{}' (known: no-transaction, lock-timeout=DURATION, "
                      "statement-timeout=DURATION)",
                      where, word));
    }
  }
  return o;
}

Result<FileOptions> DbmateMarkerWords(std::string_view words, const std::string&) {
  FileOptions o;
  o.no_transaction = words.find("transaction:false") != std::string_view::npos;
  return o;
}

Result<std::vector<Migration>> ReadPgstack(const ReadInput& in) {
  return ReadSectioned(in, Format::kPgstack);
}

Result<std::vector<Migration>> ReadDbmate(const ReadInput& in) {
  return ReadSectioned(in, Format::kDbmate);
}

std::vector<DraftFile> WritePgstack(const Draft& d, const MigrationSet&) {
  return WriteSectioned(d, Format::kPgstack, "no-transaction", kPgstackTemplate);
}

std::vector<DraftFile> WriteDbmate(const Draft& d, const MigrationSet&) {
  return WriteSectioned(d, Format::kDbmate, "transaction:false", kDbmateTemplate);
}

}  // namespace pgstack::migrate::internal
