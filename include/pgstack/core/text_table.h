// Aligned text tables (bench reports, migrate status): words left-aligned, figures right-aligned,
// two spaces between columns, no trailing blanks.
#pragma once

#include <string>
#include <vector>

namespace pgstack::core {

// rows[0] is the header; left_columns lists the columns to align left (the rest go right).
std::vector<std::string> AlignedTable(const std::vector<std::vector<std::string>>& rows,
                                      const std::vector<size_t>& left_columns);

}  // namespace pgstack::core
