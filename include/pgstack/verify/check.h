// The checks of `pgstack verify`: one table (AllChecks()) of named checks, each proving one
// thing the setup plan or pgstack's security model promises. A check looks at the stack through a
// Probe and returns an Outcome; it never changes the database (what it creates lives in a
// transaction it rolls back, or in temporary objects).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pgstack/core/status.h"

namespace pgstack::verify {

enum class CheckStatus { kPass, kFail, kSkip };
// "pass", "fail", "skip": the words of the report and of its JSON.
std::string_view StatusName(CheckStatus status);

// What one check found. expected/actual are empty when the check has no single value to compare.
struct Outcome {
  CheckStatus status = CheckStatus::kPass;
  std::string detail;  // one line, never a secret
  std::string expected;
  std::string actual;
  std::string fix;  // what to do; empty: the check's own fix from the table

  static Outcome Pass(std::string detail, std::string expected = "", std::string actual = "");
  static Outcome Fail(std::string detail, std::string expected = "", std::string actual = "");
  // Does not apply here (external mode, nothing to look at); says why.
  static Outcome Skip(std::string why);
};

class Probe;
using CheckFn = Outcome (*)(Probe& probe);

struct CheckSpec {
  std::string_view id;      // "group.name", stable: scripts and CI select checks by it
  std::string_view proves;  // one line: what a pass means
  std::string_view fix;     // one line: what to do when it fails
  CheckFn run;
  // Runs only when asked for by id or group, not in a plain `verify` (it builds a scratch
  // database, and what it compares is the project's, not the stack's).
  bool on_request = false;
  // False where the check cannot apply to this stack (replication checks on a stack without
  // replicas): a plain `verify` leaves it out; asked for by id or group, it runs and skips,
  // saying why. Null: it always applies.
  bool (*applies)(Probe& probe) = nullptr;
};

// Every check, in the order verify runs and reports them.
std::span<const CheckSpec> AllChecks();

// The checks named by `--check` arguments, in table order, each once. An argument is an id or a
// group ("pgbouncer" selects every "pgbouncer.*"); no argument selects all but the on_request
// ones. An unknown name is
// InvalidInput naming it, the closest id, and the list of ids.
Result<std::vector<const CheckSpec*>> SelectChecks(const std::vector<std::string>& names);

}  // namespace pgstack::verify
