// Bounded waits. Every loop in pgstack that looks again and again until something is ready (a
// server lets a role in, a process exits, a lock comes free) goes through WaitUntil, so that each
// has a bound, pauses the same way, and gives up the same way: with a Status that names what was
// awaited, for how long, and why it was not ready at the last look. Retries after a transient
// error take their pauses from the same Backoff. Pause() is the one place pgstack sleeps.
#pragma once

#include <chrono>
#include <functional>
#include <random>
#include <string>

#include "pgstack/core/status.h"

namespace pgstack::core {

// Sleeps for d; returns early with core::InterruptedStatus() when SIGINT or SIGTERM arrives
// (interrupt.h), else OK.
Status Pause(std::chrono::milliseconds d);

// The pauses between looks: `first`, then each `growth` times the previous one, at most `max`.
// With jitter each pause is drawn from [p/2, 3p/2], so that runners that collided spread out.
struct Backoff {
  std::chrono::milliseconds first{10};
  double growth = 1.0;
  std::chrono::milliseconds max{std::chrono::seconds(1)};
  bool jitter = false;
};

// Hands out the pauses of a Backoff, one per call. Not thread-safe.
class BackoffPauses {
 public:
  explicit BackoffPauses(const Backoff& b);
  std::chrono::milliseconds Next();

 private:
  Backoff b_;
  double base_ms_;
  std::mt19937 rng_;
};

// What one look found: ready; not yet, and why (the reason a timeout reports); or a failure
// that ends the wait at once.
class Poll {
 public:
  static Poll Ready() { return Poll(true, "", Status::Ok()); }
  static Poll NotYet(std::string why) { return Poll(false, std::move(why), Status::Ok()); }
  static Poll Fail(Status s) { return Poll(false, "", std::move(s)); }
  // Ready when s is OK, else not yet with s's message as the reason (a login that may work soon).
  static Poll ReadyIf(const Status& s) { return s.ok() ? Ready() : NotYet(s.message()); }

  bool ready() const { return ready_; }
  const std::string& why() const { return why_; }
  const Status& failure() const { return failure_; }

 private:
  Poll(bool ready, std::string why, Status failure)
      : ready_(ready), why_(std::move(why)), failure_(std::move(failure)) {}
  bool ready_;
  std::string why_;
  Status failure_;
};

// Time as a wait sees it: the real clock and Pause() unless a test brings its own.
class WaitClock {
 public:
  virtual ~WaitClock() = default;
  virtual std::chrono::steady_clock::time_point Now() = 0;
  virtual Status Pause(std::chrono::milliseconds d) = 0;
};
WaitClock& RealWaitClock();

struct WaitOptions {
  std::string what;  // what is awaited, read after "waiting for": "PgBouncer (pid 7) to stop"
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};
  Backoff backoff;             // the pauses between looks (each cut short at the deadline)
  Code code = Code::kFailure;  // the code of the Status when time is up (kLockTimeout for locks)
  // Called after the first look that was not ready, then every report_every while waiting,
  // with the last look's reason: "still waiting for ..." reports.
  std::function<void(const std::string& why)> on_wait;
  std::chrono::milliseconds report_every{std::chrono::seconds(2)};
  WaitClock* clock = nullptr;  // nullptr: RealWaitClock()
};

// Looks with `poll` until it is ready (OK), it fails (that Status), or options.timeout has passed:
// then a Status with options.code, "gave up waiting for <what> after <timeout>: <last reason>".
// The last look is at the deadline, so that what became ready during the last pause counts.
// An interrupt (interrupt.h) ends the wait with core::InterruptedStatus().
Status WaitUntil(const WaitOptions& options, const std::function<Poll()>& poll);

// "250 ms", "1.5 s", "60 s": a wait's bound as its messages say it.
std::string FormatWaitDuration(std::chrono::milliseconds d);

}  // namespace pgstack::core
