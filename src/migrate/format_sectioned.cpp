// Files with an up and a down section in one "<version>_<name>.sql": dbmate ("-- migrate:up",
// "-- migrate:down", option "transaction:false") and pgstack's own format ("-- pgstack:up",
// "-- pgstack:down", directives in docs/migrations.md).
#include <fmt/format.h>

#include "readers.h"

namespace pgstack::migrate::internal {
namespace {

struct Markers {
  std::string_view up;
  std::string_view down;
};

Markers MarkersOf(Format f) {
  return f == Format::kDbmate ? Markers{"-- migrate:up", "-- migrate:down"}
                              : Markers{"-- pgstack:up", "-- pgstack:down"};
}

Result<FileOptions> OptionsOf(Format f, const Section& s, const std::string& where) {
  if (f == Format::kPgstack) return ParsePgstackOptions(s.options, where);
  FileOptions o;
  o.no_transaction = s.options.find("transaction:false") != std::string::npos;
  return o;
}

}  // namespace

Result<std::vector<Migration>> ReadSectioned(const std::string& dir,
                                             const std::vector<DirEntry>& entries, Format format) {
  Markers markers = MarkersOf(format);
  std::vector<Migration> out;
  for (const auto& e : entries) {
    std::string path = dir + "/" + e.name;
    auto numbered = e.is_dir || !EndsWith(e.name, ".sql")
                        ? std::nullopt
                        : SplitNumbered(std::string_view(e.name).substr(0, e.name.size() - 4));
    if (!numbered) {
      return Status::InvalidInput(
          fmt::format("{}: not a {} name (<version>_<name>.sql)", path, FormatName(format)));
    }
    PGSTACK_ASSIGN_OR_RETURN(std::string content, EntryContent(dir, e));
    auto sections = SplitSections(content, markers.up, markers.down);
    if (!sections) {
      return Status::InvalidInput(fmt::format("{}:1: no '{}' line", path, markers.up));
    }
    Migration m;
    m.version = numbered->first;
    m.name = numbered->second;
    std::string where_up = fmt::format("{}:{}", path, sections->up.first_line - 1);
    PGSTACK_ASSIGN_OR_RETURN(m.up_options, OptionsOf(format, sections->up, where_up));
    // dbmate runs a section without a statement as it is (a no-op); pgstack's own format
    // refuses an empty up when `up` would run it (unwritten), so that a fresh `migrate new`
    // blocks nothing else.
    bool dbmate = format == Format::kDbmate;
    PGSTACK_ASSIGN_OR_RETURN(m.up, MakeSqlText(path, sections->up.text, sections->up.first_line));
    m.unwritten = !dbmate && m.up.statements.empty();
    if (sections->down.present) {
      std::string where_down = fmt::format("{}:{}", path, sections->down.first_line - 1);
      PGSTACK_ASSIGN_OR_RETURN(m.down_options, OptionsOf(format, sections->down, where_down));
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

}  // namespace pgstack::migrate::internal
