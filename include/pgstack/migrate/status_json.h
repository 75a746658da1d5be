// `migrate status --json` as text, written as it goes. Over thousands of applied migrations,
// building the document as nlohmann::json values first (a std::map per row) and then dumping
// it was a fifth of the command's time; the text here is byte for byte what that dump(2)
// printed.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "pgstack/migrate/planner.h"

namespace pgstack::migrate {

// Appends {"applied": [...], "dir", "format", "pending", "problems"}, as
// json::dump(2, ' ', false, error_handler_t::replace) prints that document (keys in order), with
// no newline after it. Each applied row has applied_at, applied_by, checksum, execution_ms, kind,
// name and version of its history row.
void AppendStatusJson(std::string& out, const std::vector<AppliedEntry>& applied,
                      const std::string& dir, std::string_view format,
                      const nlohmann::json& pending, const nlohmann::json& problems);

}  // namespace pgstack::migrate
