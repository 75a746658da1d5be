// Duration parsing on any text. Invariants: an error is bad input naming what was parsed; a
// parsed duration is within 0..INT_MAX ms, and its formatted text parses back to it.
#include "pgstack/core/duration.h"

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "require.h"

using namespace pgstack;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto d = core::ParseDuration(text, "--fuzz");
  if (!d.ok()) {
    Require(d.status().code() == Code::kInvalidInput, "an error that is no bad input");
    Require(d.status().message().find("--fuzz") != std::string::npos, "error names nothing");
    return 0;
  }
  Require(d->count() >= 0 && d->count() <= INT_MAX, "duration out of range");
  auto again = core::ParseDuration(core::FormatDuration(*d), "--fuzz");
  Require(again.ok() && *again == *d, "FormatDuration does not parse back");
  return 0;
}
