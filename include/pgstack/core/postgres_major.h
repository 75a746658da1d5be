// The one PostgreSQL major version pgstack provisions and accepts.
#pragma once

namespace pgstack::core {

inline constexpr int kPostgresMajor = 17;

}  // namespace pgstack::core
