// Time taken, as reports show it: milliseconds on the steady clock (never the wall clock, which
// may jump).
#pragma once

#include <chrono>

namespace pgstack::core {

// Milliseconds since t0: MsSince(t0) with fractions (double), MsSince<int>(t0) whole.
template <typename Rep = double>
Rep MsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::duration<Rep, std::milli>>(
             std::chrono::steady_clock::now() - t0)
      .count();
}

}  // namespace pgstack::core
