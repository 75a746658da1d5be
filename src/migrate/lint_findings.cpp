// How the checker's findings come out: at the statement's file, line and column, with the rule's
// severity and text, unless the rule is disabled (everywhere or for the file's directory) or a
// `-- pgstack:lint-ignore RULE` comment right above the statement silences it.
#include <fmt/format.h>

#include <vector>

#include "lint_checker.h"

namespace pgstack::migrate::internal {
namespace {

// A rule named by a lint-ignore comment, and where in the SQL its name is.
struct IgnoredRule {
  std::string_view id;
  size_t offset;
};

// The comment lines right above a statement: `-- pgstack:lint-ignore RULE[,RULE] reason`
// silences RULE there.
std::vector<IgnoredRule> IgnoredAt(std::string_view sql, size_t offset) {
  std::vector<IgnoredRule> out;
  size_t nl = offset == 0 ? std::string_view::npos : sql.rfind('\n', offset - 1);
  size_t line_start = nl == std::string_view::npos ? 0 : nl + 1;
  while (line_start > 0) {
    size_t prev_end = line_start - 1;  // the '\n' that ends the line above
    size_t p = prev_end == 0 ? std::string_view::npos : sql.rfind('\n', prev_end - 1);
    size_t prev_start = p == std::string_view::npos ? 0 : p + 1;
    std::string_view line = sql.substr(prev_start, prev_end - prev_start);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.substr(0, 2) != "--") break;
    constexpr std::string_view kMark = "pgstack:lint-ignore";
    if (size_t m = line.find(kMark); m != std::string_view::npos) {
      std::string_view rest = line.substr(m + kMark.size());
      while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
      std::string_view rules = rest.substr(0, rest.find_first_of(" \t\r"));
      while (!rules.empty()) {
        size_t comma = rules.find(',');
        std::string_view id = rules.substr(0, comma);
        if (!id.empty()) out.push_back({id, static_cast<size_t>(id.data() - sql.data())});
        rules = comma == std::string_view::npos ? "" : rules.substr(comma + 1);
      }
    }
    line_start = prev_start;
  }
  return out;
}

}  // namespace

int Checker::Line() const {
  return text_->first_line + LineColumnAt(text_->sql, stmt_ ? stmt_->begin : 0).line - 1;
}

void Checker::UnknownIgnoredRules() {
  if (!emit_) return;
  for (const IgnoredRule& ignored : IgnoredAt(text_->sql, stmt_->begin)) {
    auto known = ParseLintRuleId(ignored.id);
    if (known.ok()) continue;
    LineColumn lc = LineColumnAt(text_->sql, ignored.offset);
    EmitAt(text_->first_line + lc.line - 1, lc.column, LintRuleId::kLintIgnoreUnknownRule,
           "lint-ignore: " + known.status().message());
  }
}

void Checker::Emit(LintRuleId rule, std::string what) {
  LineColumn lc = LineColumnAt(text_->sql, stmt_->begin);
  EmitAt(text_->first_line + lc.line - 1, lc.column, rule, std::move(what));
}

void Checker::EmitAt(int line, int column, LintRuleId rule, std::string what) {
  const LintRule& r = LintRuleOf(rule);
  std::string id(r.id);
  if (!emit_ || options_.disabled.count(id)) return;
  std::string dir = text_->path.substr(0, text_->path.rfind('/') + 1);
  dir = dir.empty() ? "." : dir.substr(0, dir.size() - 1);
  if (auto d = options_.disabled_in_dir.find(dir);
      d != options_.disabled_in_dir.end() && d->second.count(id)) {
    return;
  }
  if (stmt_) {
    for (const IgnoredRule& ignored : IgnoredAt(text_->sql, stmt_->begin)) {
      if (ignored.id == id) return;
    }
  }
  report_.findings.push_back(
      Finding{.rule = id,
              .severity = r.severity,
              .file = text_->path,
              .line = line,
              .column = column,
              .message = fmt::format("{}: PostgreSQL 17 {}", what, r.postgres),
              .fix = std::string(r.fix)});
}

}  // namespace pgstack::migrate::internal
