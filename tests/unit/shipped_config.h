// The plan's own config/database.json as the reference environment of the rendering tests.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "pgstack/core/config.h"
#include "pgstack/location/environment.h"

namespace pgstack {

// An empty process environment, so that a developer's exported PG* variables cannot change
// what the tests render.
inline core::Environment ShippedEnvironment(const std::string& name = "development") {
  auto env = location::LoadEnvironment(std::string(PGSTACK_SOURCE_DIR) + "/config/database.json",
                                       name, [](const std::string&) { return std::nullopt; });
  EXPECT_TRUE(env.ok()) << env.status().message();
  return env.ok() ? *env : core::Environment{};
}

}  // namespace pgstack
