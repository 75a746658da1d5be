// How a verify Report reads: an aligned table for people, one JSON document for machines.
// Pure functions of the report; the CLI prints what they return.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pgstack/core/terminal.h"
#include "pgstack/verify/check.h"
#include "pgstack/verify/verify.h"

namespace pgstack::verify {

// One row per check (id, status, detail, ms), aligned, under a header; after each failure an
// indented "what to do" line; then a summary line. With style.width the details and the "what to
// do" lines wrap at word boundaries to fit it; with style.color pass is green and fail red.
std::vector<std::string> RenderTable(const Report& report, const core::TextStyle& style = {});

// {"checks":[{"id","status","detail","ms","expected","actual"[,"fix"]}],
//  "passed":N,"failed":N,"skipped":N,"ms":total}. Empty expected/actual are null.
nlohmann::json ToJson(const Report& report);

// "id  what it proves" lines for `verify --list`.
std::vector<std::string> RenderList(std::span<const CheckSpec> checks);

}  // namespace pgstack::verify
