// The bounded wait on a fake clock: which looks happen, how long the pauses are, what a timeout
// says. Nothing here sleeps or depends on how loaded the machine is.
#include <gtest/gtest.h>

#include <vector>

#include "pgstack/core/wait.h"

namespace pgstack::core {
namespace {

using std::chrono::milliseconds;

// Time moves only when the wait pauses.
class FakeClock : public WaitClock {
 public:
  std::chrono::steady_clock::time_point Now() override { return now_; }
  Status Pause(milliseconds d) override {
    pauses.push_back(d);
    now_ += d;
    return pause_result;
  }
  milliseconds elapsed() const {
    return std::chrono::duration_cast<milliseconds>(now_ - std::chrono::steady_clock::time_point());
  }
  std::vector<milliseconds> pauses;
  Status pause_result;

 private:
  std::chrono::steady_clock::time_point now_;
};

TEST(Wait, ReadyAtTheFirstLookDoesNotPause) {
  FakeClock clock;
  int looks = 0;
  Status s = WaitUntil({.what = "x", .timeout = milliseconds(100), .clock = &clock}, [&] {
    ++looks;
    return Poll::Ready();
  });
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(looks, 1);
  EXPECT_TRUE(clock.pauses.empty());
}

TEST(Wait, LooksUntilReadyWithTheBackoffsPauses) {
  FakeClock clock;
  int looks = 0;
  WaitOptions o{.what = "x",
                .timeout = milliseconds(10000),
                .backoff = {.first = milliseconds(10), .growth = 2, .max = milliseconds(50)},
                .clock = &clock};
  Status s = WaitUntil(o, [&] { return ++looks == 5 ? Poll::Ready() : Poll::NotYet("no"); });
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(looks, 5);
  EXPECT_EQ(clock.pauses, (std::vector<milliseconds>{milliseconds(10), milliseconds(20),
                                                     milliseconds(40), milliseconds(50)}));
}

TEST(Wait, TimeoutNamesWhatHowLongAndTheLastReasonWithTheCallersCode) {
  FakeClock clock;
  int looks = 0;
  WaitOptions o{.what = "the migration lock",
                .timeout = milliseconds(1500),
                .backoff = {.first = milliseconds(400)},
                .code = Code::kLockTimeout,
                .clock = &clock};
  Status s =
      WaitUntil(o, [&] { return Poll::NotYet("held by runner " + std::to_string(++looks)); });
  EXPECT_EQ(s.code(), Code::kLockTimeout);
  EXPECT_EQ(s.message(), "gave up waiting for the migration lock after 1.5 s: held by runner 5");
  // The last pause is cut short so that the last look is at the deadline, not after it.
  EXPECT_EQ(clock.pauses, (std::vector<milliseconds>{milliseconds(400), milliseconds(400),
                                                     milliseconds(400), milliseconds(300)}));
  EXPECT_EQ(clock.elapsed(), milliseconds(1500));
}

TEST(Wait, ZeroTimeoutLooksOnce) {
  FakeClock clock;
  int looks = 0;
  Status s =
      WaitUntil({.what = "PgBouncer to stop", .timeout = milliseconds(0), .clock = &clock}, [&] {
        ++looks;
        return Poll::NotYet("");
      });
  EXPECT_EQ(s.code(), Code::kFailure);
  EXPECT_EQ(s.message(), "gave up waiting for PgBouncer to stop after 0 ms");
  EXPECT_EQ(looks, 1);
}

TEST(Wait, AFailedLookEndsTheWaitWithItsStatus) {
  FakeClock clock;
  int looks = 0;
  Status s = WaitUntil({.what = "x", .timeout = milliseconds(1000), .clock = &clock}, [&] {
    return ++looks == 2 ? Poll::Fail(Status::InvalidInput("bad password")) : Poll::NotYet("no");
  });
  EXPECT_EQ(s.code(), Code::kInvalidInput);
  EXPECT_EQ(s.message(), "bad password");
  EXPECT_EQ(looks, 2);
}

TEST(Wait, ReadyIfTakesAnErrorAsTheReasonToWait) {
  FakeClock clock;
  Status s = WaitUntil({.what = "a login", .timeout = milliseconds(30), .clock = &clock},
                       [&] { return Poll::ReadyIf(Status::Failure("connection refused")); });
  EXPECT_EQ(s.message(), "gave up waiting for a login after 30 ms: connection refused");
  EXPECT_TRUE(WaitUntil({.what = "a login", .clock = &clock}, [&] {
                return Poll::ReadyIf(Status::Ok());
              }).ok());
}

TEST(Wait, ReportsAtOnceThenEveryReportInterval) {
  FakeClock clock;
  std::vector<std::pair<milliseconds, std::string>> reports;
  int looks = 0;
  WaitOptions o{
      .what = "x",
      .timeout = milliseconds(5000),
      .backoff = {.first = milliseconds(500)},
      .on_wait = [&](const std::string& why) { reports.emplace_back(clock.elapsed(), why); },
      .report_every = milliseconds(2000),
      .clock = &clock};
  Status s = WaitUntil(o, [&] { return Poll::NotYet("look " + std::to_string(++looks)); });
  EXPECT_FALSE(s.ok());
  ASSERT_EQ(reports.size(), 3u);
  EXPECT_EQ(reports[0], std::make_pair(milliseconds(0), std::string("look 1")));
  EXPECT_EQ(reports[1], std::make_pair(milliseconds(2000), std::string("look 5")));
  EXPECT_EQ(reports[2], std::make_pair(milliseconds(4000), std::string("look 9")));
}

TEST(Wait, AFailedPauseEndsTheWait) {
  FakeClock clock;
  clock.pause_result = Status::Interrupted("interrupted");
  int looks = 0;
  Status s = WaitUntil({.what = "x", .timeout = milliseconds(1000), .clock = &clock}, [&] {
    ++looks;
    return Poll::NotYet("no");
  });
  EXPECT_EQ(s.code(), Code::kInterrupted);
  EXPECT_EQ(looks, 1);
}

TEST(Backoff, GrowsToItsMaximum) {
  BackoffPauses p({.first = milliseconds(20), .growth = 1.5, .max = milliseconds(50)});
  std::vector<milliseconds> got;
  for (int i = 0; i < 5; ++i) got.push_back(p.Next());
  EXPECT_EQ(got, (std::vector<milliseconds>{milliseconds(20), milliseconds(30), milliseconds(45),
                                            milliseconds(50), milliseconds(50)}));
}

TEST(Backoff, JitterStaysWithinHalfAndOneAndAHalfTimes) {
  BackoffPauses p(
      {.first = milliseconds(100), .growth = 2, .max = milliseconds(400), .jitter = true});
  std::vector<int> bases = {100, 200, 400, 400, 400};
  for (int b : bases) {
    auto d = p.Next().count();
    EXPECT_GE(d, b / 2);
    EXPECT_LE(d, b * 3 / 2);
  }
  BackoffPauses none({.first = milliseconds(0), .growth = 2, .jitter = true});
  EXPECT_EQ(none.Next(), milliseconds(0));
}

TEST(Wait, DurationsReadAsPeopleWriteThem) {
  EXPECT_EQ(FormatWaitDuration(milliseconds(250)), "250 ms");
  EXPECT_EQ(FormatWaitDuration(milliseconds(1500)), "1.5 s");
  EXPECT_EQ(FormatWaitDuration(std::chrono::seconds(60)), "60 s");
}

TEST(Wait, PauseReturnsAfterTheTime) {
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(Pause(milliseconds(5)).ok());
  // Only a lower bound: a loaded machine may wake it late, never early.
  EXPECT_GE(std::chrono::steady_clock::now() - t0, milliseconds(5));
  EXPECT_TRUE(Pause(milliseconds(0)).ok());
}

}  // namespace
}  // namespace pgstack::core
