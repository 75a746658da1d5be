#include "pgstack/core/text_table.h"

#include <fmt/format.h>

#include <algorithm>

namespace pgstack::core {

std::vector<std::string> AlignedTable(const std::vector<std::vector<std::string>>& rows,
                                      const std::vector<size_t>& left_columns) {
  return AlignedTable(rows, left_columns, TextStyle{}, 0, {});
}

namespace {

std::vector<size_t> Widths(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()), 0);
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  return width;
}

// The table's width with wrap_column at its narrowest, without the columns `dropped` marks.
size_t NarrowestWidth(const std::vector<size_t>& width, size_t wrap_column,
                      const std::vector<bool>& dropped) {
  size_t total = 0, columns = 0;
  for (size_t c = 0; c < width.size(); ++c) {
    if (dropped[c]) continue;
    total += c == wrap_column ? std::min(width[c], kMinWrapWidth) : width[c];
    ++columns;
  }
  return total + (columns ? 2 * (columns - 1) : 0);
}

// Rows and their left-aligned columns without the droppable columns the width has no room for.
void DropColumns(std::vector<std::vector<std::string>>& rows, std::vector<size_t>& left_columns,
                 size_t& wrap_column, size_t width_limit, const std::vector<size_t>& droppable) {
  std::vector<size_t> width = Widths(rows);
  std::vector<bool> dropped(width.size(), false);
  for (size_t d : droppable) {
    if (NarrowestWidth(width, wrap_column, dropped) <= width_limit) break;
    if (d < dropped.size()) dropped[d] = true;
  }
  for (auto& row : rows) {
    std::vector<std::string> kept;
    for (size_t c = 0; c < row.size(); ++c) {
      if (c >= dropped.size() || !dropped[c]) kept.push_back(std::move(row[c]));
    }
    row = std::move(kept);
  }
  auto new_index = [&](size_t c) {
    return static_cast<size_t>(std::count(dropped.begin(), dropped.begin() + c, false));
  };
  std::vector<size_t> left;
  for (size_t c : left_columns) {
    if (c < dropped.size() && !dropped[c]) left.push_back(new_index(c));
  }
  left_columns = std::move(left);
  wrap_column = wrap_column < dropped.size() && !dropped[wrap_column] ? new_index(wrap_column)
                                                                      : dropped.size();
}

}  // namespace

std::vector<std::string> AlignedTable(std::vector<std::vector<std::string>> rows,
                                      std::vector<size_t> left_columns, const TextStyle& style,
                                      size_t wrap_column, const std::vector<size_t>& droppable) {
  if (style.width && !droppable.empty()) {
    DropColumns(rows, left_columns, wrap_column, *style.width, droppable);
  }
  std::vector<size_t> width = Widths(rows);
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
