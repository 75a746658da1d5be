// --allow-hazards on any text. Invariants: an error is bad input naming the flag; a parsed set
// holds only kinds of the table, and the names of that set, joined, parse back to it.
#include <string>
#include <string_view>

#include "pgstack/migrate/hazard.h"
#include "require.h"

using namespace pgstack;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto kinds = migrate::ParseAllowedHazards(text);
  if (!kinds.ok()) {
    Require(kinds.status().code() == Code::kInvalidInput, "an error that is no bad input");
    Require(kinds.status().message().starts_with("--allow-hazards"), "error names no flag");
    return 0;
  }
  std::string names;
  for (migrate::HazardKind k : *kinds) {
    Require(static_cast<size_t>(k) < migrate::HazardTable().size(), "a kind outside the table");
    names += std::string(names.empty() ? "" : ",") + std::string(migrate::HazardName(k));
  }
  auto again = migrate::ParseAllowedHazards(names);
  Require(again.ok() && *again == *kinds, "the names do not parse back to the same kinds");
  return 0;
}
