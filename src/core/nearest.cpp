#include "pgstack/core/nearest.h"

#include <algorithm>

namespace pgstack::core {
namespace {

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::string Nearest(std::string_view word, const std::vector<std::string>& names) {
  std::string best;
  size_t best_d = std::min<size_t>(3, word.size());
  for (const auto& n : names) {
    if (size_t d = EditDistance(word, n); d < best_d) {
      best_d = d;
      best = n;
    }
  }
  return best;
}

std::string DidYouMean(std::string_view word, const std::vector<std::string>& names) {
  std::string near = Nearest(word, names);
  return near.empty() ? "" : " (did you mean '" + near + "'?)";
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string UnknownChoice(std::string_view what, std::string_view word,
                          const std::vector<std::string>& names) {
  std::string near = Nearest(word, names);
  std::string hint = near.empty() ? "" : "did you mean '" + near + "'?; ";
  return std::string(what) + " " + std::string(word) + ": unknown (" + hint +
         "one of: " + JoinNames(names) + ")";
}

}  // namespace pgstack::core
