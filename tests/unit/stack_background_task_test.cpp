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
