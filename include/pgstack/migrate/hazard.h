// The hazards of a `migrate diff` plan: a closed list of kinds, each refused unless allowed, or
// only reported (docs/migrations.md, "Declarative schema"). pg-schema-diff's upper-case names
// are read as aliases where they mean the same thing.
#pragma once

#include <set>
#include <span>
#include <string>
#include <string_view>

#include "pgstack/core/status.h"

namespace pgstack::migrate {

enum class HazardKind {
  kDeletesData,
  kRewritesTable,
  kBlocksWrites,
  kBreaksRunningCode,
  kAuthzUpdate,
  kIndexBuild,
  kIndexDropped,
  kDependsOnData,
};

struct HazardSpec {
  HazardKind kind;
  std::string_view name;   // "deletes_data"
  std::string_view alias;  // pg-schema-diff's ("DELETES_DATA"), "" when it has none
  bool refused;            // refused unless --allow-hazards names it
  std::string_view means;  // one line for --help and the docs
};

std::span<const HazardSpec> HazardTable();
const HazardSpec& SpecOf(HazardKind k);
std::string_view HazardName(HazardKind k);

struct Hazard {
  HazardKind kind = HazardKind::kDeletesData;
  std::string object;   // the object it is about ("public.orders.note")
  std::string message;  // what happens, and the way out where there is one
};

// --allow-hazards KIND,...: names, aliases or `all`. kInvalidInput naming the unknown kind.
Result<std::set<HazardKind>> ParseAllowedHazards(std::string_view list);

}  // namespace pgstack::migrate
