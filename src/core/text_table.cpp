#include "pgstack/core/text_table.h"

#include <fmt/format.h>

#include <algorithm>

namespace pgstack::core {

std::vector<std::string> AlignedTable(const std::vector<std::vector<std::string>>& rows,
                                      const std::vector<size_t>& left_columns) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()), 0);
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  std::vector<std::string> lines;
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      bool left = std::find(left_columns.begin(), left_columns.end(), c) != left_columns.end();
      line +=
          left ? fmt::format("{:<{}}", row[c], width[c]) : fmt::format("{:>{}}", row[c], width[c]);
      if (c + 1 < row.size()) line += "  ";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace pgstack::core
