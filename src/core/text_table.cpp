#include "pgstack/core/text_table.h"

#include <fmt/format.h>

#include <algorithm>

namespace pgstack::core {

std::vector<std::string> AlignedTable(const std::vector<std::vector<std::string>>& rows,
                                      const std::vector<size_t>& left_columns) {
  return AlignedTable(rows, left_columns, TextStyle{}, 0);
}

std::vector<std::string> AlignedTable(const std::vector<std::vector<std::string>>& rows,
                                      const std::vector<size_t>& left_columns,
                                      const TextStyle& style, size_t wrap_column) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()), 0);
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  bool wrap = false;
  if (style.width && wrap_column < width.size()) {
    size_t total = 2 * (width.size() - 1);
    for (size_t w : width) total += w;
    if (total > *style.width) {
      size_t others = total - width[wrap_column];
      width[wrap_column] =
          std::max(kMinWrapWidth, *style.width > others ? *style.width - others : 0);
      wrap = true;
    }
  }
  auto line_of = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (size_t c = 0; c < cells.size(); ++c) {
      bool left = std::find(left_columns.begin(), left_columns.end(), c) != left_columns.end();
      line += left ? fmt::format("{:<{}}", cells[c], width[c])
                   : fmt::format("{:>{}}", cells[c], width[c]);
      if (c + 1 < cells.size()) line += "  ";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line;
  };
  std::vector<std::string> lines;
  for (const auto& row : rows) {
    if (!wrap || wrap_column >= row.size() || row[wrap_column].size() <= width[wrap_column]) {
      lines.push_back(line_of(row));
      continue;
    }
    std::vector<std::string> pieces = WrapWords(row[wrap_column], width[wrap_column]);
    for (size_t i = 0; i < pieces.size(); ++i) {
      std::vector<std::string> cells = i == 0 ? row : std::vector<std::string>(row.size());
      cells[wrap_column] = pieces[i];
      lines.push_back(line_of(cells));
    }
  }
  return lines;
}

}  // namespace pgstack::core
