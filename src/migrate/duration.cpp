#include "pgstack/migrate/duration.h"

#include <fmt/format.h>

#include <charconv>

namespace pgstack::migrate {

Result<int> ParseDurationMs(std::string_view text, std::string_view what) {
  auto bad = [&] {
    return Status::InvalidInput(fmt::format(
        "{}: '{}' is not a duration (use a number with ms, s, min or h, e.g. 5s)", what, text));
  };
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || value < 0) return bad();
  std::string_view unit(end, text.data() + text.size() - end);
  double ms;
  if (unit.empty() || unit == "s") {
    ms = value * 1000;
  } else if (unit == "ms") {
    ms = value;
  } else if (unit == "min" || unit == "m") {
    ms = value * 60000;
  } else if (unit == "h") {
    ms = value * 3600000;
  } else {
    return bad();
  }
  if (ms > 2147483647.0) return bad();
  return static_cast<int>(ms);
}

}  // namespace pgstack::migrate
