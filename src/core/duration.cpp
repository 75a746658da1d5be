#include "pgstack/core/duration.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <limits>

namespace pgstack::core {
namespace {

struct Unit {
  std::string_view name;
  long long ms;
};
// Largest first: FormatDuration takes the first that divides.
constexpr Unit kUnits[] = {{"h", 3600000}, {"min", 60000}, {"m", 60000}, {"s", 1000}, {"ms", 1}};

}  // namespace

Result<std::chrono::milliseconds> ParseDuration(std::string_view text, std::string_view what) {
  auto bad = [&] {
    return Status::InvalidInput(fmt::format(
        "{}: '{}' is not a duration (use a number with ms, s, min or h, e.g. 5s)", what, text));
  };
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  // from_chars also reads "inf" and "nan".
  if (ec != std::errc() || !std::isfinite(value) || value < 0) return bad();
  std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
  double scale = unit.empty() ? 1000 : 0;
  for (const Unit& u : kUnits) {
    if (unit == u.name) scale = static_cast<double>(u.ms);
  }
  if (scale == 0) return bad();
  double ms = value * scale;
  if (ms > std::numeric_limits<int>::max()) {
    return Status::InvalidInput(fmt::format("{}: '{}' is too long (at most {} days)", what, text,
                                            std::numeric_limits<int>::max() / 86400000));
  }
  return std::chrono::milliseconds(static_cast<long long>(ms));
}

std::string FormatDuration(std::chrono::milliseconds d) {
  long long ms = d.count();
  for (const Unit& u : kUnits) {
    if (ms != 0 && ms % u.ms == 0) return fmt::format("{}{}", ms / u.ms, u.name);
  }
  return "0s";
}

}  // namespace pgstack::core
