// What the verify integration tests share: running `pgstack --json verify` against a test stack
// and reading its verdict, and small tools to break a stack and put it back.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "fixture.h"

namespace pgstack::testing {

struct Verdict {
  int exit_code = -1;
  std::string output;
  nlohmann::json doc;
  std::map<std::string, std::string> status;     // id -> pass/fail/skip
  std::map<std::string, nlohmann::json> checks;  // id -> the check's JSON object
};

// Reads the JSON document the binary printed (stderr shares the stream; the document starts at
// the first '{' of a line).
inline Verdict ReadVerdict(const core::CommandOutput& out) {
  Verdict v;
  v.exit_code = out.exit_code;
  v.output = out.output;
  size_t at = out.output.rfind('{', 0) == 0 ? 0 : out.output.find("\n{");
  if (at == std::string::npos) return v;
  if (at > 0) ++at;
  v.doc = nlohmann::json::parse(out.output.substr(at), nullptr, false);
  if (v.doc.is_discarded() || !v.doc.contains("checks")) return v;
  for (const auto& c : v.doc["checks"]) {
    v.status[c["id"]] = c["status"];
    v.checks[c["id"]] = c;
  }
  return v;
}

inline Verdict RunVerify(const TestStack& stack, const std::vector<std::string>& args = {}) {
  std::vector<std::string> full = {"--json", "verify"};
  full.insert(full.end(), args.begin(), args.end());
  return ReadVerdict(stack.Pgstack(full));
}

// Asserts that exactly `failing` failed (plus any of `maybe`), that every other check kept its
// status in `baseline` (a healthy run), and that the exit code says so.
inline void ExpectOnly(const Verdict& v, const Verdict& baseline,
                       const std::set<std::string>& failing,
                       const std::set<std::string>& skipped = {},
                       const std::set<std::string>& maybe = {}) {
  ASSERT_FALSE(v.status.empty()) << v.output;
  EXPECT_EQ(v.exit_code, failing.empty() ? 0 : 3) << v.output;
  for (const auto& [id, status] : baseline.status) {
    SCOPED_TRACE(id + ": " + (v.checks.count(id) ? v.checks.at(id).dump() : "(missing)"));
    if (maybe.count(id)) continue;
    std::string want = failing.count(id) ? "fail" : skipped.count(id) ? "skip" : status;
    EXPECT_EQ(v.status.count(id) ? v.status.at(id) : "(missing)", want);
    if (want == "fail" && v.checks.count(id)) {
      EXPECT_FALSE(v.checks.at(id)["detail"].get<std::string>().empty());
      EXPECT_TRUE(v.checks.at(id).contains("fix"));
    }
  }
  for (const auto& id : failing) EXPECT_TRUE(baseline.status.count(id)) << "no check " << id;
}

// Runs its function when the scope ends: a broken stack is put back even when an assertion
// failed half way.
class Restore {
 public:
  explicit Restore(std::function<void()> fn) : fn_(std::move(fn)) {}
  ~Restore() {
    if (fn_) fn_();
  }
  Restore(const Restore&) = delete;
  Restore& operator=(const Restore&) = delete;

 private:
  std::function<void()> fn_;
};

}  // namespace pgstack::testing
