// Durations as people write them on a command line or in a directive: "500ms", "5s", "2min",
// "1h"; a bare number means seconds.
#pragma once

#include <string_view>

#include "pgstack/core/status.h"

namespace pgstack::migrate {

// Milliseconds, or kInvalidInput naming `what` (the flag or directive) and the accepted units.
Result<int> ParseDurationMs(std::string_view text, std::string_view what);

}  // namespace pgstack::migrate
