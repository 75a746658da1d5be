// The system runner's stdin contract: what Command::input holds, the child reads; without it, the
// child reads an empty /dev/null and never waits on ours.
#include <gtest/gtest.h>

#include "pgstack/core/process.h"

namespace pgstack::core {
namespace {

TEST(SystemProcessRunner, TheChildReadsTheInputOnItsStdin) {
  auto out = SystemProcessRunner().Run({.argv = {"/bin/cat"}, .input = "CREATE DATABASE x\n"});
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out->exit_code, 0);
  EXPECT_EQ(out->output, "CREATE DATABASE x\n");
}

TEST(SystemProcessRunner, WithoutInputTheChildReadsNothing) {
  auto out = SystemProcessRunner().Run({.argv = {"/bin/cat"}, .timeout_s = 10});
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out->exit_code, 0);
  EXPECT_EQ(out->output, "");
}

}  // namespace
}  // namespace pgstack::core
