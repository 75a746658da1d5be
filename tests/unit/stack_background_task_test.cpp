// The work `up` does beside the server's start: its result comes back through Wait(), and its
// thread leaves SIGINT and SIGTERM to the others.
#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "stack/background_task.h"

namespace pgstack::stack {
namespace {

// Held work (a new data directory's flush) must not begin before the files it is to cover are
// written: it runs only once released, and Wait() releases it.
TEST(BackgroundTask, HeldWorkRunsOnlyOnceReleased) {
  std::atomic<int> runs = 0;
  auto work = [&runs]() -> Result<Action> {
    ++runs;
    return Action{ActionVerb::kCopied, "a cluster"};
  };
  BackgroundTask released = BackgroundTask::Held(work);
  EXPECT_TRUE(released.held());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(runs, 0);
  released.Release();
  EXPECT_FALSE(released.held());
  ASSERT_TRUE(released.Wait().ok());
  EXPECT_EQ(runs, 1);

  BackgroundTask waited = BackgroundTask::Held(work);
  auto done = waited.Wait();
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->detail, "a cluster");
  EXPECT_EQ(runs, 2);
  { BackgroundTask dropped = BackgroundTask::Held(work); }
  EXPECT_EQ(runs, 2);
}

TEST(BackgroundTask, WithoutWorkWaitGivesWhatWasDone) {
  const Action copied{ActionVerb::kCopied, "a cluster"};
  BackgroundTask task(copied);
  auto r = task.Wait();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, copied);
}

TEST(BackgroundTask, WaitGivesTheWorksResultOrItsErrorAndItsThreadTakesNoSignals) {
  std::atomic<bool> sigint_blocked = false, sigterm_blocked = false;
  const Action synced{ActionVerb::kInitialized, "a cluster and synced it"};
  auto ok = BackgroundTask::Start([&]() -> Result<Action> {
    sigset_t mask;
    pthread_sigmask(SIG_BLOCK, nullptr, &mask);
    sigint_blocked = sigismember(&mask, SIGINT) == 1;
    sigterm_blocked = sigismember(&mask, SIGTERM) == 1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return synced;
  });
  auto r = ok.Wait();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, synced);
  EXPECT_EQ(*ok.Wait(), synced);  // a second Wait gives the same
  EXPECT_TRUE(sigint_blocked);
  EXPECT_TRUE(sigterm_blocked);
  // The thread that started it still takes them.
  sigset_t mine;
  pthread_sigmask(SIG_BLOCK, nullptr, &mine);
  EXPECT_EQ(sigismember(&mine, SIGINT), 0);

  auto failed =
      BackgroundTask::Start([]() -> Result<Action> { return Status::Failure("cannot sync /x"); });
  auto f = failed.Wait();
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().message(), "cannot sync /x");
}

TEST(BackgroundTask, ItsOwnerEndingWithoutWaitWaitsForTheWork) {
  std::atomic<bool> finished = false;
  {
    auto task = BackgroundTask::Start([&]() -> Result<Action> {
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
      finished = true;
      return Action{};
    });
  }
  EXPECT_TRUE(finished);
}

}  // namespace
}  // namespace pgstack::stack
