#include "pgstack/verify/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace pgstack::verify {
namespace {

// A detail longer than this runs past the MS column on its row instead of widening every row.
constexpr size_t kMaxDetailWidth = 72;

std::string Ms(double ms) { return fmt::format("{:.0f}", std::ceil(ms)); }

nlohmann::json OrNull(const std::string& s) {
  return s.empty() ? nlohmann::json() : nlohmann::json(s);
}

}  // namespace

std::vector<std::string> RenderTable(const Report& report) {
  size_t id_w = 5, status_w = 6, detail_w = 6, ms_w = 2;  // the header's widths
  for (const CheckResult& r : report.results) {
    id_w = std::max(id_w, r.id.size());
    detail_w = std::max(detail_w, std::min(r.detail.size(), kMaxDetailWidth));
    ms_w = std::max(ms_w, Ms(r.ms).size());
  }
  auto row = [&](std::string_view id, std::string_view status, std::string_view detail,
                 std::string_view ms) {
    return fmt::format("{:<{}}  {:<{}}  {:<{}}  {:>{}}", id, id_w, status, status_w, detail,
                       detail_w, ms, ms_w);
  };
  std::vector<std::string> lines{row("CHECK", "STATUS", "DETAIL", "MS")};
  for (const CheckResult& r : report.results) {
    lines.push_back(row(r.id, StatusName(r.status), r.detail, Ms(r.ms)));
    if (r.status == CheckStatus::kFail && !r.fix.empty()) {
      lines.push_back(fmt::format("{:<{}}  what to do: {}", "", id_w, r.fix));
    }
  }
  lines.push_back(fmt::format("{} checks: {} passed, {} failed, {} skipped in {} ms",
                              report.results.size(), report.Count(CheckStatus::kPass),
                              report.Count(CheckStatus::kFail), report.Count(CheckStatus::kSkip),
                              Ms(report.total_ms)));
  return lines;
}

nlohmann::json ToJson(const Report& report) {
  nlohmann::json checks = nlohmann::json::array();
  for (const CheckResult& r : report.results) {
    nlohmann::json c = {{"id", r.id},
                        {"status", StatusName(r.status)},
                        {"detail", r.detail},
                        {"ms", std::round(r.ms * 10) / 10},
                        {"expected", OrNull(r.expected)},
                        {"actual", OrNull(r.actual)}};
    if (!r.fix.empty()) c["fix"] = r.fix;
    checks.push_back(std::move(c));
  }
  return {{"checks", std::move(checks)},
          {"passed", report.Count(CheckStatus::kPass)},
          {"failed", report.Count(CheckStatus::kFail)},
          {"skipped", report.Count(CheckStatus::kSkip)},
          {"ms", std::round(report.total_ms)}};
}

std::vector<std::string> RenderList(std::span<const CheckSpec> checks) {
  size_t id_w = 0;
  for (const CheckSpec& c : checks) id_w = std::max(id_w, c.id.size());
  std::vector<std::string> lines;
  for (const CheckSpec& c : checks)
    lines.push_back(fmt::format("{:<{}}  {}", c.id, id_w, c.proves));
  return lines;
}

}  // namespace pgstack::verify
