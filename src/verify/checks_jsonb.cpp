// JSONB, the setup plan's step 2: the plan's own script, and the GIN index measured on
// realistic data.
#include <fmt/format.h>

#include <filesystem>

#include "checks.h"
#include "pgstack/core/files.h"
#include "pgstack/core/project_file.h"
#include "script.h"
#include "text.h"

namespace pgstack::verify {
namespace {

constexpr std::string_view kScript = "database/setup/test-jsonb.sql";

// A failure whose advice names the script that ran, wherever it was found (the project's, or
// the one installed with pgstack when the working folder has none).
Outcome FailedRun(const std::string& path, std::string detail, std::string expected = "",
                  std::string actual = "") {
  Outcome o = Outcome::Fail(std::move(detail), std::move(expected), std::move(actual));
  o.fix = "run it by hand to see the failing step: psql -X -v ON_ERROR_STOP=1 -f " + path;
  return o;
}

}  // namespace

Outcome JsonbScript(Probe& probe) {
  std::string path = core::ProjectFile(std::string(kScript), probe.env().file);
  auto text = core::ReadFileIfExists(path);
  if (!text.ok()) return Outcome::Fail(text.status().message());
  if (!*text) return Outcome::Fail(fmt::format("{} not found", kScript));
  auto conn = probe.Direct();
  if (!conn.ok()) return probe.Unreachable(conn.status());

  ScriptRun run = RunScript(**conn, **text);
  // The script's last table lists each step with what it expected and what it got; compare here
  // rather than trust its own verdict.
  const pg::QueryResult* steps = nullptr;
  for (const auto& r : run.results) {
    if (r.column("step") >= 0 && r.column("expected") >= 0 && r.column("actual") >= 0) steps = &r;
  }
  std::vector<std::string> wrong;
  int total = steps ? steps->rows() : 0;
  for (int i = 0; i < total; ++i) {
    if (steps->is_null(i, steps->column("actual")) ||
        steps->get(i, "actual") != steps->get(i, "expected")) {
      wrong.push_back(fmt::format("{}: got '{}', expected '{}'", steps->get(i, "step"),
                                  steps->get(i, "actual"), steps->get(i, "expected")));
    }
  }
  std::string expected = fmt::format("{} steps as expected", total);
  std::string actual = fmt::format("{} of {} as expected", total - wrong.size(), total);
  std::vector<std::string> problems = wrong;
  // The script's own error repeats a wrong step; report it when it is about something else.
  if (!run.error.ok() && wrong.empty()) problems.push_back(run.error.message());
  if (!steps && run.error.ok())
    problems.push_back("the script printed no step/expected/actual table");
  // Nothing may outlive the script: a COMMIT in place of its ROLLBACK would leave test_jsonb.
  auto left = (*conn)->Exec("SELECT to_regclass('public.test_jsonb') IS NOT NULL");
  if (left.ok() && left->scalar() == "t")
    problems.push_back("public.test_jsonb exists after the script");
  if (!problems.empty()) return FailedRun(path, Join(problems, "; "), expected, actual);
  return Outcome::Pass(fmt::format("{}: {} steps as expected, rolled back", kScript, total),
                       expected, actual);
}

Outcome JsonbGinIndex(Probe& probe) {
  if (auto conn = probe.Direct(); !conn.ok()) return probe.Unreachable(conn.status());
  const Result<JsonbMeasurement>& m = probe.Jsonb();
  if (!m.ok()) return Outcome::Fail(m.status().message());
  std::string expected = "a scan on " + m->index_name;
  std::string actual = m->plan;
  if (m->index_method != "gin" || !m->index_valid) {
    return Outcome::Fail(fmt::format("{} is {} ({})", m->index_name,
                                     m->index_method.empty() ? "missing" : m->index_method,
                                     m->index_valid ? "valid" : "not valid"),
                         expected, actual);
  }
  if (!m->index_used) {
    return Outcome::Fail(
        fmt::format("the planner does not use the GIN index on {} rows: {}", m->rows, m->plan),
        expected, actual);
  }
  if (m->index_matches != m->seq_matches) {
    return Outcome::Fail(fmt::format("the index finds {} rows, the sequential scan {}",
                                     m->index_matches, m->seq_matches),
                         expected, actual);
  }
  return Outcome::Pass(fmt::format("built on {} rows in {}; planner: {} ({} rows)", m->rows,
                                   FormatMs(m->build_ms), m->plan, m->index_matches),
                       expected, actual);
}

Outcome JsonbPerformance(Probe& probe) {
  if (auto conn = probe.Direct(); !conn.ok()) return probe.Unreachable(conn.status());
  const Result<JsonbMeasurement>& m = probe.Jsonb();
  if (!m.ok()) return Outcome::Fail(m.status().message());
  const core::VerifyConfig& limits = probe.env().verify;
  double speedup = m->index_ms > 0 ? m->seq_ms / m->index_ms : 0;
  std::string expected =
      fmt::format("< {} ms, >= {}x", limits.jsonb_max_ms, limits.jsonb_min_speedup);
  std::string actual = fmt::format("{}, {:.0f}x", FormatMs(m->index_ms), speedup);
  std::string figures =
      fmt::format("{} rows, {} matches: GIN {} vs seq scan {} = {:.0f}x (need < {} ms, >= {}x)",
                  m->rows, m->index_matches, FormatMs(m->index_ms), FormatMs(m->seq_ms), speedup,
                  limits.jsonb_max_ms, limits.jsonb_min_speedup);
  if (!m->index_used)
    return Outcome::Fail("the GIN index is not used: " + figures, expected, actual);
  if (m->index_ms >= limits.jsonb_max_ms || speedup < limits.jsonb_min_speedup) {
    return Outcome::Fail(figures, expected, actual);
  }
  return Outcome::Pass(figures, expected, actual);
}

}  // namespace pgstack::verify
