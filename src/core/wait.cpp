#include "pgstack/core/wait.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "pgstack/core/interrupt.h"

namespace pgstack::core {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

class RealClock : public WaitClock {
 public:
  steady_clock::time_point Now() override { return steady_clock::now(); }
  Status Pause(milliseconds d) override { return core::Pause(d); }
};

}  // namespace

Status Pause(milliseconds d) {
  // Wakes at once on Ctrl-C or SIGTERM, so that every wait stops promptly.
  if (!SleepUnlessInterrupted(d)) return InterruptedStatus();
  return Status::Ok();
}

BackoffPauses::BackoffPauses(const Backoff& b)
    : b_(b),
      base_ms_(static_cast<double>(std::min(b.first, b.max).count())),
      rng_(std::random_device{}()) {}

milliseconds BackoffPauses::Next() {
  double p = base_ms_;
  base_ms_ = std::min(base_ms_ * b_.growth, static_cast<double>(b_.max.count()));
  if (b_.jitter && p > 0) p = std::uniform_real_distribution<double>(p / 2, p * 3 / 2)(rng_);
  return milliseconds(static_cast<milliseconds::rep>(p));
}

WaitClock& RealWaitClock() {
  static RealClock clock;
  return clock;
}

std::string FormatWaitDuration(milliseconds d) {
  if (d < std::chrono::seconds(1)) return fmt::format("{} ms", d.count());
  return fmt::format("{:g} s", static_cast<double>(d.count()) / 1000);
}

Status WaitUntil(const WaitOptions& o, const std::function<Poll()>& poll) {
  WaitClock& clock = o.clock ? *o.clock : RealWaitClock();
  const auto deadline = clock.Now() + o.timeout;
  BackoffPauses pauses(o.backoff);
  std::optional<steady_clock::time_point> reported;
  while (true) {
    Poll p = poll();
    if (p.ready()) return Status::Ok();
    if (!p.failure().ok()) return p.failure();
    auto now = clock.Now();
    if (now >= deadline) {
      return Status::Failure(fmt::format("gave up waiting for {} after {}{}{}", o.what,
                                         FormatWaitDuration(o.timeout), p.why().empty() ? "" : ": ",
                                         p.why()))
          .WithCode(o.code);
    }
    if (o.on_wait && (!reported || now - *reported >= o.report_every)) {
      o.on_wait(p.why());
      reported = now;
    }
    PGSTACK_RETURN_IF_ERROR(CheckInterrupt("waiting for " + o.what));
    auto left = std::chrono::ceil<milliseconds>(deadline - now);
    PGSTACK_RETURN_IF_ERROR(clock.Pause(std::min(pauses.Next(), left)));
  }
}

}  // namespace pgstack::core
