// Ctrl-C and SIGTERM as the code sees them: waits end early with the right exit code, and the
// hooks that cancel in-flight work are called. Real signals go through the same flag as
// SimulateInterrupt (the handler only sets it); the integration tests send real ones.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "pgstack/core/interrupt.h"
#include "pgstack/core/wait.h"

namespace pgstack::core {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

class Interrupt : public ::testing::Test {
 protected:
  void TearDown() override { ResetInterruptForTest(); }
};

TEST_F(Interrupt, NoneByDefault) {
  EXPECT_FALSE(Interrupted());
  EXPECT_TRUE(CheckInterrupt().ok());
  EXPECT_TRUE(Pause(milliseconds(1)).ok());
}

TEST_F(Interrupt, SigintEndsAPauseAtOnceWithExit130) {
  auto t0 = steady_clock::now();
  std::thread later([] {
    std::this_thread::sleep_for(milliseconds(100));
    SimulateInterrupt(SIGINT);
  });
  Status s = Pause(std::chrono::seconds(20));
  later.join();
  EXPECT_EQ(s.code(), Code::kInterrupted);
  EXPECT_EQ(s.exit_code(), 130);
  EXPECT_LT(steady_clock::now() - t0, std::chrono::seconds(5));
  EXPECT_NE(s.message().find("SIGINT"), std::string::npos) << s.message();
}

TEST_F(Interrupt, SigtermIsExit143) {
  SimulateInterrupt(SIGTERM);
  Status s = CheckInterrupt("migrate up");
  EXPECT_EQ(s.exit_code(), 143);
  EXPECT_EQ(s.message(), "migrate up: interrupted (SIGTERM)");
  EXPECT_TRUE(IsInterruption(s));
  EXPECT_TRUE(IsInterruption(s.WithContext("statement 3")));
  EXPECT_FALSE(IsInterruption(Status::Failure("canceling statement due to user request")));
  EXPECT_FALSE(IsInterruption(Status::Ok()));
}

TEST_F(Interrupt, EndsAWaitUntilThatIsNotReady) {
  int looks = 0;
  Status s = WaitUntil({.what = "x", .timeout = std::chrono::seconds(20)}, [&] {
    if (++looks == 3) SimulateInterrupt(SIGINT);
    return Poll::NotYet("not yet");
  });
  EXPECT_EQ(s.code(), Code::kInterrupted) << s.message();
  // Stopped at the look that saw the signal: neither looked on nor ran into its 20 s timeout.
  EXPECT_EQ(looks, 3);
}

// The loops below sleep by hand: once a signal is simulated, Pause and WaitUntil return at once
// (that is what they are for), so they cannot wait for the hook thread.
TEST_F(Interrupt, HooksAreCalledWhileTheyLiveAndNotAfter) {
  std::atomic<int> calls{0};
  {
    InterruptHook hook([&] { ++calls; });
    SimulateInterrupt(SIGINT);
    for (int i = 0; i < 100 && calls == 0; ++i) std::this_thread::sleep_for(milliseconds(20));
    EXPECT_GE(calls.load(), 1);
  }
  int after = calls.load();
  std::this_thread::sleep_for(milliseconds(1300));  // past the re-fire period
  EXPECT_EQ(calls.load(), after);
}

TEST_F(Interrupt, AHookMadeAfterTheSignalIsCalledToo) {
  SimulateInterrupt(SIGINT);
  std::atomic<int> calls{0};
  InterruptHook hook([&] { ++calls; });
  for (int i = 0; i < 100 && calls == 0; ++i) std::this_thread::sleep_for(milliseconds(20));
  EXPECT_GE(calls.load(), 1);
}

}  // namespace
}  // namespace pgstack::core
