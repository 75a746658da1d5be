#include <chrono>

#include "pgstack/core/elapsed.h"
#include "pgstack/core/interrupt.h"
#include "pgstack/verify/verify.h"
#include "probe.h"

namespace pgstack::verify {
int Report::Count(CheckStatus status) const {
  int n = 0;
  for (const CheckResult& r : results) n += r.status == status;
  return n;
}

Report RunChecks(const core::Environment& env, const std::string& state_dir,
                 std::span<const CheckSpec* const> checks, const RunOptions& options) {
  Report report;
  auto start = std::chrono::steady_clock::now();
  Probe probe(env, state_dir);
  probe.set_migrations_dir(options.migrations_dir);
  probe.set_stopped(options.stopped);
  // A check that waits on the server (a lock, a slow query) stops at a signal too, not only
  // the loop between checks.
  core::InterruptHook cancel([&probe] { probe.CancelRunning(); });
  for (const CheckSpec* check : checks) {
    if (core::Interrupted()) break;
    if (!options.asked_by_name && check->applies && !check->applies(probe)) continue;
    if (options.progress) options.progress(*check);
    auto t0 = std::chrono::steady_clock::now();
    Outcome o = check->run(probe);
    CheckResult r{.id = std::string(check->id),
                  .status = o.status,
                  .detail = std::move(o.detail),
                  .expected = std::move(o.expected),
                  .actual = std::move(o.actual),
                  .ms = core::MsSince(t0)};
    if (r.status == CheckStatus::kFail) r.fix = o.fix.empty() ? std::string(check->fix) : o.fix;
    report.results.push_back(std::move(r));
  }
  report.total_ms = core::MsSince(start);
  return report;
}

}  // namespace pgstack::verify
