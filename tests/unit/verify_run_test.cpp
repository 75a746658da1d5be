// RunChecks once Ctrl-C or SIGTERM arrived: no further check starts.
#include <gtest/gtest.h>
#include <signal.h>

#include "pgstack/core/interrupt.h"
#include "pgstack/verify/check.h"
#include "pgstack/verify/verify.h"

namespace pgstack::verify {
namespace {

int runs = 0;

Outcome Interrupts(Probe&) {
  ++runs;
  core::SimulateInterrupt(SIGINT);
  return Outcome::Pass("ran");
}

Outcome Counts(Probe&) {
  ++runs;
  return Outcome::Pass("ran");
}

TEST(VerifyRun, NoCheckStartsOnceASignalArrived) {
  const CheckSpec first{.id = "postgres.first", .proves = "p", .fix = "f", .run = Interrupts};
  const CheckSpec second{.id = "postgres.second", .proves = "p", .fix = "f", .run = Counts};
  const CheckSpec* checks[] = {&first, &second};
  core::Environment env;
  Report report = RunChecks(env, "/nonexistent", checks, {.asked_by_name = true});
  core::ResetInterruptForTest();
  EXPECT_EQ(runs, 1);
  ASSERT_EQ(report.results.size(), 1u);
  EXPECT_EQ(report.results[0].id, "postgres.first");
}

}  // namespace
}  // namespace pgstack::verify
