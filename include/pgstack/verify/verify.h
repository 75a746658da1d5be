// Runs checks against a stack and collects a Report. Every selected check runs, whatever the
// others found: a PostgreSQL that is down fails the checks that need it, with that reason, and
// the file and PgBouncer checks still report.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "pgstack/core/config.h"
#include "pgstack/verify/check.h"

namespace pgstack::verify {

struct CheckResult {
  std::string id;
  CheckStatus status = CheckStatus::kPass;
  std::string detail;
  std::string expected;
  std::string actual;
  std::string fix;  // set for failures: the outcome's fix, or the table's
  double ms = 0;
};

struct Report {
  std::vector<CheckResult> results;
  double total_ms = 0;

  int Count(CheckStatus status) const;
  bool ok() const { return Count(CheckStatus::kFail) == 0; }
};

// Called before each check starts (for a progress line).
using ProgressFn = std::function<void(const CheckSpec& check)>;

struct RunOptions {
  ProgressFn progress;  // may be empty
  // What schema.drift compares the live schema with ("": the project's database/migrations,
  // found as the other project files are).
  std::string migrations_dir;
  // Checks that cannot apply to this stack (CheckSpec::applies) are left out unless asked for by
  // name (`verify --check`).
  bool asked_by_name = false;
  // Non-empty when the caller knows the stack is stopped (or partly): the checks that cannot
  // reach a server are skipped with this reason instead of each failing.
  std::string stopped;
};

// Runs `checks` in order against the stack of `env` (its state in state_dir in local mode; the
// configured server in external mode). Never fails as a whole: problems are check failures.
// Once Ctrl-C or SIGTERM arrived it starts no further check: the caller, seeing
// core::Interrupted(), does not show the shorter report as whole.
Report RunChecks(const core::Environment& env, const std::string& state_dir,
                 std::span<const CheckSpec* const> checks, const RunOptions& options = {});

}  // namespace pgstack::verify
