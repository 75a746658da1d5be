// Ctrl-C and SIGTERM, as the rest of pgstack sees them. main installs the handlers once; from
// then on a signal only sets a flag (async-signal-safe), and work stops at its next safe point:
// a wait or pause returns Status of InterruptedStatus(), loops check Interrupted(), and whatever
// is in flight on the server (a statement) is cancelled through an InterruptHook. The code that
// was interrupted returns its Status up to main, so rollbacks, lease releases and cleanups run
// as on any error. A second signal ends the process the default way (a user who presses Ctrl-C
// twice means it).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string_view>

#include "pgstack/core/status.h"

namespace pgstack::core {

// Installs the SIGINT and SIGTERM handlers (sigaction) and the thread that runs InterruptHooks.
// Call once, from main, before starting other threads. Installs over an inherited SIG_IGN too:
// a script that runs pgstack in the background (where SIGINT starts ignored) can still stop it.
void InstallInterruptHandlers();

// True once SIGINT or SIGTERM arrived.
bool Interrupted();
// The flag itself, for code that takes a `const std::atomic<bool>*` to stop early.
const std::atomic<bool>& InterruptedFlag();

// The Status of work stopped by the signal: Code::kInterrupted (exit 130) for SIGINT,
// Code::kTerminated (143) for SIGTERM; "interrupted (SIGINT)", after `what` when given.
Status InterruptedStatus(std::string_view what = {});
// OK, or InterruptedStatus(what) once interrupted: the check at a safe point.
Status CheckInterrupt(std::string_view what = {});
// Whether s is the Status of work a signal stopped (InterruptedStatus's codes).
bool IsInterruption(const Status& s);

// Sleeps for d, or less when an interrupt arrives first; false when interrupted.
bool SleepUnlessInterrupted(std::chrono::milliseconds d);

// While it lives, an interrupt calls `cancel` on the interrupt thread: soon after the signal
// (or at once when it came before), then again every second while this hook still lives, in
// case the first reached the server before the work it was meant to stop. `cancel` must be
// quick, must not throw, and may run after the code that registered it moved on to the next
// step (so it cancels "whatever this connection runs now": pg::CancelHandle::Cancel).
// The destructor waits for a call in progress, so `cancel` may refer to locals.
class InterruptHook {
 public:
  explicit InterruptHook(std::function<void()> cancel);
  ~InterruptHook();
  InterruptHook(const InterruptHook&) = delete;
  InterruptHook& operator=(const InterruptHook&) = delete;

 private:
  friend struct InterruptState;
  std::function<void()> cancel_;
  std::chrono::steady_clock::time_point fired_{};
  bool was_fired_ = false;
};

// For tests: behave as if signal `sig` (SIGINT, SIGTERM) arrived, or as if none had.
void SimulateInterrupt(int sig);
void ResetInterruptForTest();

}  // namespace pgstack::core
