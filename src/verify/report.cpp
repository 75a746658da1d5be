#include "pgstack/verify/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "pgstack/core/text_table.h"

namespace pgstack::verify {
namespace {

// A detail longer than this runs past the MS column on its row instead of widening every row.
constexpr size_t kMaxDetailWidth = 72;

std::string Ms(double ms) { return fmt::format("{:.0f}", std::ceil(ms)); }

nlohmann::json OrNull(const std::string& s) {
  return s.empty() ? nlohmann::json() : nlohmann::json(s);
}

}  // namespace

std::vector<std::string> RenderTable(const Report& report, const core::TextStyle& style) {
  size_t id_w = 5, status_w = 6, detail_w = 6, ms_w = 2;  // the header's widths
  for (const CheckResult& r : report.results) {
    id_w = std::max(id_w, r.id.size());
    detail_w = std::max(detail_w, std::min(r.detail.size(), kMaxDetailWidth));
    ms_w = std::max(ms_w, Ms(r.ms).size());
  }
  // On a terminal the detail wraps to fit its width; the id, status and figure never move.
  size_t others = id_w + status_w + ms_w + 6;
  bool wrap = style.width.has_value();
  if (wrap)
    detail_w = std::max(core::kMinWrapWidth, *style.width > others ? *style.width - others : 0);
  auto row = [&](std::string_view id, std::string_view status, std::string_view detail,
                 std::string_view ms) {
    std::string padded = fmt::format("{:<{}}", status, status_w);
    std::string shown = status == "pass"   ? core::Colored(padded, core::Tint::kGreen, style)
                        : status == "fail" ? core::Colored(padded, core::Tint::kRed, style)
                                           : padded;
    std::string line =
        fmt::format("{:<{}}  {}  {:<{}}  {:>{}}", id, id_w, shown, detail, detail_w, ms, ms_w);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line;
  };
  std::vector<std::string> lines{row("CHECK", "STATUS", "DETAIL", "MS")};
  for (const CheckResult& r : report.results) {
    std::vector<std::string> detail = wrap && r.detail.size() > detail_w
                                          ? core::WrapWords(r.detail, detail_w)
                                          : std::vector<std::string>{r.detail};
    lines.push_back(row(r.id, StatusName(r.status), detail[0], Ms(r.ms)));
    for (size_t i = 1; i < detail.size(); ++i) lines.push_back(row("", "", detail[i], ""));
    if (r.status == CheckStatus::kFail && !r.fix.empty()) {
      std::string indent(id_w + 2, ' ');
      std::vector<std::string> fix =
          wrap ? core::WrapWords(
                     "what to do: " + r.fix,
                     std::max(core::kMinWrapWidth,
                              *style.width > indent.size() ? *style.width - indent.size() : 0))
               : std::vector<std::string>{"what to do: " + r.fix};
      for (const std::string& f : fix) lines.push_back(indent + f);
    }
  }
  lines.push_back(fmt::format("{} check{}: {} passed, {} failed, {} skipped in {} ms",
                              report.results.size(), report.results.size() == 1 ? "" : "s",
                              report.Count(CheckStatus::kPass), report.Count(CheckStatus::kFail),
                              report.Count(CheckStatus::kSkip), Ms(report.total_ms)));
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
