#include "pgstack/core/unified_diff.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace pgstack::core {
namespace {

constexpr size_t kContext = 3;

struct Line {
  std::string text;
  bool newline = true;  // false only for a last line without '\n'
  bool operator==(const Line& o) const { return text == o.text && newline == o.newline; }
};

std::vector<Line> SplitLines(const std::string& s) {
  std::vector<Line> out;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t nl = s.find('\n', pos);
    if (nl == std::string::npos) {
      out.push_back({s.substr(pos), false});
      break;
    }
    out.push_back({s.substr(pos, nl - pos), true});
    pos = nl + 1;
  }
  return out;
}

enum class Op { kKeep, kDelete, kInsert };
struct Edit {
  Op op;
  size_t a;  // index into old (kKeep, kDelete)
  size_t b;  // index into new (kKeep, kInsert)
};

// The edit script from a longest common subsequence. Config files are a few hundred lines at
// most, so the quadratic table is small; anything larger is shown as delete-all, insert-all.
std::vector<Edit> EditScript(const std::vector<Line>& a, const std::vector<Line>& b) {
  std::vector<Edit> edits;
  const size_t n = a.size(), m = b.size();
  if (n * m > 4'000'000) {
    for (size_t i = 0; i < n; ++i) edits.push_back({Op::kDelete, i, 0});
    for (size_t j = 0; j < m; ++j) edits.push_back({Op::kInsert, n, j});
    return edits;
  }
  std::vector<std::vector<unsigned>> lcs(n + 1, std::vector<unsigned>(m + 1, 0));
  for (size_t i = n; i-- > 0;) {
    for (size_t j = m; j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      edits.push_back({Op::kKeep, i++, j++});
    } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      edits.push_back({Op::kDelete, i++, j});  // deletions first, as diff prints them
    } else {
      edits.push_back({Op::kInsert, i, j++});
    }
  }
  return edits;
}

std::string Range(size_t start, size_t count) {
  // diff numbers lines from 1; an empty range names the line before it.
  if (count == 1) return std::to_string(start + 1);
  return fmt::format("{},{}", count == 0 ? start : start + 1, count);
}

void AppendLine(std::string& out, char mark, const Line& line) {
  out += mark;
  out += line.text;
  out += '\n';
  if (!line.newline) out += "\\ No newline at end of file\n";
}

}  // namespace

std::string UnifiedDiff(const std::string& old_text, const std::string& new_text,
                        const std::string& old_name, const std::string& new_name) {
  if (old_text == new_text) return "";
  std::vector<Line> a = SplitLines(old_text), b = SplitLines(new_text);
  std::vector<Edit> edits = EditScript(a, b);
  std::string out = fmt::format("--- {}\n+++ {}\n", old_name, new_name);
  size_t k = 0;
  while (k < edits.size()) {
    // Find the next change; a hunk runs from kContext lines before it to kContext lines after
    // the last change that is no more than 2 * kContext unchanged lines from the previous one.
    while (k < edits.size() && edits[k].op == Op::kKeep) ++k;
    if (k == edits.size()) break;
    size_t first = k >= kContext ? k - kContext : 0;
    size_t last = k;  // one past the last change of the hunk
    size_t scan = k;
    while (scan < edits.size()) {
      if (edits[scan].op != Op::kKeep) {
        last = scan + 1;
        ++scan;
        continue;
      }
      size_t run = scan;
      while (run < edits.size() && edits[run].op == Op::kKeep) ++run;
      if (run == edits.size() || run - scan > 2 * kContext) break;
      scan = run;
    }
    size_t end = std::min(edits.size(), last + kContext);
    size_t a_start = edits[first].a, b_start = edits[first].b, a_count = 0, b_count = 0;
    std::string body;
    for (size_t e = first; e < end; ++e) {
      const Edit& ed = edits[e];
      if (ed.op == Op::kKeep) {
        AppendLine(body, ' ', a[ed.a]);
        ++a_count;
        ++b_count;
      } else if (ed.op == Op::kDelete) {
        AppendLine(body, '-', a[ed.a]);
        ++a_count;
      } else {
        AppendLine(body, '+', b[ed.b]);
        ++b_count;
      }
    }
    out += fmt::format("@@ -{} +{} @@\n", Range(a_start, a_count), Range(b_start, b_count));
    out += body;
    k = end;
  }
  return out;
}

}  // namespace pgstack::core
