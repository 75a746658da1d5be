// Small text helpers shared by the checks.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pgstack::verify {

// A PostgreSQL text[] literal ({"a","b"}) for a $n parameter: one round trip for many names.
std::string TextArray(const std::vector<std::string>& items);

// "a, b, c".
std::string Join(const std::vector<std::string>& items, std::string_view sep = ", ");

// A duration for people: "0.21 ms", "7.8 ms", "260 ms".
std::string FormatMs(double ms);

}  // namespace pgstack::verify
