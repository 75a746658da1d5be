#include <gtest/gtest.h>

#include "pgstack/core/duration.h"

namespace pgstack::core {
namespace {

using std::chrono::milliseconds;

TEST(CoreDuration, ParsesTheUnitsPeopleWrite) {
  EXPECT_EQ(*ParseDuration("10s", "--duration"), milliseconds(10000));
  EXPECT_EQ(*ParseDuration("500ms", "--duration"), milliseconds(500));
  EXPECT_EQ(*ParseDuration("1.5s", "--duration"), milliseconds(1500));
  EXPECT_EQ(*ParseDuration("2m", "--duration"), milliseconds(120000));
  EXPECT_EQ(*ParseDuration("2min", "--lock-timeout"), milliseconds(120000));
  EXPECT_EQ(*ParseDuration("1h", "--lock-timeout"), milliseconds(3600000));
  EXPECT_EQ(*ParseDuration("3", "--duration"), milliseconds(3000));
  EXPECT_EQ(*ParseDuration("0s", "--warmup"), milliseconds(0));
}

TEST(CoreDuration, RejectsWhatIsNotADurationNamingTheFlag) {
  for (const char* bad : {"", "s", "10x", "-1s", "ten", "10 s", "2d", "inf", "nan", "1e400s"}) {
    auto r = ParseDuration(bad, "--warmup");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), Code::kInvalidInput);
    EXPECT_NE(r.status().message().find("--warmup"), std::string::npos);
  }
}

TEST(CoreDuration, FitsPostgresIntMilliseconds) {
  EXPECT_EQ(*ParseDuration("596h", "x"), milliseconds(596LL * 3600000));
  auto r = ParseDuration("597h", "--statement-timeout");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("too long"), std::string::npos) << r.status().message();
}

TEST(CoreDuration, FormatsInTheLargestWholeUnitAndParsesBack) {
  EXPECT_EQ(FormatDuration(milliseconds(60000)), "1min");
  EXPECT_EQ(FormatDuration(milliseconds(5000)), "5s");
  EXPECT_EQ(FormatDuration(milliseconds(7200000)), "2h");
  EXPECT_EQ(FormatDuration(milliseconds(1500)), "1500ms");
  EXPECT_EQ(FormatDuration(milliseconds(0)), "0s");
  for (long long ms : {1LL, 999LL, 1000LL, 90000LL, 3600000LL}) {
    EXPECT_EQ(*ParseDuration(FormatDuration(milliseconds(ms)), "x"), milliseconds(ms)) << ms;
  }
}

}  // namespace
}  // namespace pgstack::core
