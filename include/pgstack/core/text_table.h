// Aligned text tables (bench reports, migrate status): words left-aligned, figures right-aligned,
// two spaces between columns, no trailing blanks.
#pragma once

#include <string>
#include <vector>

#include "pgstack/core/terminal.h"

namespace pgstack::core {

// rows[0] is the header; left_columns lists the columns to align left (the rest go right).
std::vector<std::string> AlignedTable(const std::vector<std::vector<std::string>>& rows,
                                      const std::vector<size_t>& left_columns);

// The same, fitted into style.width: when the table is wider, column wrap_column (the detail,
// never a figure) is narrowed and its text wrapped at word boundaries onto continuation lines
// whose other columns are blank. When even a wrapped column of kMinWrapWidth leaves it wider,
// the columns in `droppable` are left out, in that order, until it fits (the caller's --json
// has them all). No width: as above.
std::vector<std::string> AlignedTable(std::vector<std::vector<std::string>> rows,
                                      std::vector<size_t> left_columns, const TextStyle& style,
                                      size_t wrap_column,
                                      const std::vector<size_t>& droppable = {});

// The narrowest a wrapped column gets: a terminal narrower than the other columns plus this
// overflows rather than shows one letter per line.
inline constexpr size_t kMinWrapWidth = 12;

}  // namespace pgstack::core
