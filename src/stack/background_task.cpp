#include "background_task.h"

#include <pthread.h>
#include <signal.h>

namespace pgstack::stack {

BackgroundTask BackgroundTask::Start(std::function<Result<Action>()> work) {
  // A new thread inherits the signal mask of the one that creates it: blocked for the moment of
  // its creation, so that a signal never lands on a thread that does not look at the flag.
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  BackgroundTask task;
  task.work_ = std::async(std::launch::async, std::move(work));
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return task;
}

BackgroundTask BackgroundTask::Held(std::function<Result<Action>()> work) {
  BackgroundTask task;
  task.held_ = std::move(work);
  return task;
}

void BackgroundTask::Release() {
  if (!held_) return;
  *this = Start(std::move(held_));
}

Result<Action> BackgroundTask::Wait() {
  Release();
  if (!result_) result_ = work_.valid() ? work_.get() : Result<Action>(done_);
  return *result_;
}

}  // namespace pgstack::stack
