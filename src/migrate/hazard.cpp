#include "pgstack/migrate/hazard.h"

#include <fmt/format.h>

namespace pgstack::migrate {
namespace {

constexpr HazardSpec kHazards[] = {
    {HazardKind::kDeletesData, "deletes_data", "DELETES_DATA", true,
     "drops a table, column, schema or materialized view, or narrows a column's type"},
    {HazardKind::kRewritesTable, "rewrites_table", "", true,
     "rewrites every row of a table under an ACCESS EXCLUSIVE lock (a type change, an enum "
     "recreated)"},
    {HazardKind::kBlocksWrites, "blocks_writes", "", true,
     "holds an ACCESS EXCLUSIVE lock while the table is scanned"},
    {HazardKind::kBreaksRunningCode, "breaks_running_code", "", true,
     "renames, or drops an object that holds no data (view, function, type, trigger) that "
     "deployed code may use"},
    {HazardKind::kAuthzUpdate, "authz_update", "AUTHZ_UPDATE", true,
     "turns row-level security on or off, changes a policy, or grants or revokes"},
    {HazardKind::kIndexBuild, "index_build", "INDEX_BUILD", false,
     "a concurrent index build: CPU and I/O on a table that holds rows"},
    {HazardKind::kIndexDropped, "index_dropped", "INDEX_DROPPED", false,
     "an index is dropped: queries that used it get slower"},
    {HazardKind::kDependsOnData, "depends_on_data", "", false,
     "can fail on existing rows (a validation, a unique build, SET NOT NULL, a cast), which "
     "the proof on empty tables cannot catch"},
};
static_assert(std::size(kHazards) == static_cast<size_t>(HazardKind::kDependsOnData) + 1);

}  // namespace

std::span<const HazardSpec> HazardTable() { return kHazards; }

const HazardSpec& SpecOf(HazardKind k) { return kHazards[static_cast<size_t>(k)]; }

std::string_view HazardName(HazardKind k) { return SpecOf(k).name; }

Result<std::set<HazardKind>> ParseAllowedHazards(std::string_view list) {
  std::set<HazardKind> out;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view word = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    while (!word.empty() && word.front() == ' ') word.remove_prefix(1);
    while (!word.empty() && word.back() == ' ') word.remove_suffix(1);
    if (word.empty()) continue;
    if (word == "all") {
      for (const HazardSpec& h : kHazards) out.insert(h.kind);
      continue;
    }
    const HazardSpec* found = nullptr;
    for (const HazardSpec& h : kHazards) {
      if (word == h.name || (!h.alias.empty() && word == h.alias)) found = &h;
    }
    if (found == nullptr) {
      std::string names;
      for (const HazardSpec& h : kHazards)
        names += (names.empty() ? "" : ", ") + std::string(h.name);
      return Status::InvalidInput(
          fmt::format("--allow-hazards: unknown hazard '{}' (one of: {}, all)", word, names));
    }
    out.insert(found->kind);
  }
  return out;
}

}  // namespace pgstack::migrate
