// Whole numbers read from text pgstack did not write (a server's answer, a file): an error that
// names what was being read, instead of std::stoi's exception (which surfaces as "internal
// error") or atoi's silent 0.
#pragma once

#include <string_view>

#include "pgstack/core/status.h"

namespace pgstack::core {

// The whole of `text` as a decimal integer of type T (int or long long); otherwise kFailure
// "<what>: expected a whole number, got '<text>'" (or "... out of range").
template <typename T>
Result<T> ParseInt(std::string_view text, std::string_view what);

extern template Result<int> ParseInt<int>(std::string_view, std::string_view);
extern template Result<long long> ParseInt<long long>(std::string_view, std::string_view);

}  // namespace pgstack::core
