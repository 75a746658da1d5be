// Durations as people write them on a command line or in a migration's directive: "500ms",
// "5s", "1.5s", "2min" (or "2m"), "1h"; a bare number means seconds.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "pgstack/core/status.h"

namespace pgstack::core {

// The duration, or kInvalidInput naming `what` (the flag or directive) and the accepted units.
// At most INT_MAX milliseconds (about 24 days), so that it fits the int milliseconds PostgreSQL's
// timeouts take; sub-millisecond parts are dropped.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text, std::string_view what);

// The inverse, in the largest unit that divides it: 60000ms -> "1min", 5000ms -> "5s", 250ms ->
// "250ms". For defaults shown in --help.
std::string FormatDuration(std::chrono::milliseconds d);

}  // namespace pgstack::core
