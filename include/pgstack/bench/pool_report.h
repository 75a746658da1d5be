// Renderings of a PoolReport: the aligned table and plain-words explanation for people, the JSON
// document for machines, and an SVG chart (TPS and p99 latency against clients, one labelled
// line per endpoint and mode).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pgstack/bench/pool_bench.h"

namespace pgstack::bench {

// Lines of the aligned table, header first.
std::vector<std::string> PoolTable(const PoolReport& report);
// Paragraphs saying what the figures show: what a direct client costs the server, what the pool
// bounds and where clients queue, and what that means for choosing a pool size.
std::vector<std::string> ExplainPool(const PoolReport& report);
// {"workload", "server", "pgbouncer", "results": [...], "explanation": [...]}.
nlohmann::json PoolReportJson(const PoolReport& report);
// A standalone SVG document.
std::string PoolChartSvg(const PoolReport& report);

// Milliseconds from a histogram value in nanoseconds.
inline double Ms(uint64_t ns) { return static_cast<double>(ns) / 1e6; }

}  // namespace pgstack::bench
