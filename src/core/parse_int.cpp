#include "pgstack/core/parse_int.h"

#include <fmt/format.h>

#include <charconv>

namespace pgstack::core {

template <typename T>
Result<T> ParseInt(std::string_view text, std::string_view what) {
  T value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) {
    return Status::Failure(fmt::format("{}: '{}' is out of range", what, text));
  }
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Status::Failure(fmt::format("{}: expected a whole number, got '{}'", what, text));
  }
  return value;
}

template Result<int> ParseInt<int>(std::string_view, std::string_view);
template Result<long long> ParseInt<long long>(std::string_view, std::string_view);

}  // namespace pgstack::core
