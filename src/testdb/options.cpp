#include "pgstack/testdb/options.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <thread>

namespace pgstack::testdb {

std::string_view StrategyName(Strategy s) {
  return s == Strategy::kWalLog ? "WAL_LOG" : "FILE_COPY";
}

std::optional<Strategy> ParseStrategy(std::string_view text) {
  std::string up;
  for (char c : text) up += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (up == "WAL_LOG") return Strategy::kWalLog;
  if (up == "FILE_COPY") return Strategy::kFileCopy;
  return std::nullopt;
}

Status Complete(Options& o) {
  int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  // A warm pool must cover the tests running at once (about one per core) plus the clones
  // being recreated behind them, which on a busy machine take half a second each; with few
  // cores, a floor of 12 keeps a burst of gets fast.
  if (o.pool_size == 0) o.pool_size = std::clamp(4 * cores, 12, 32);
  if (o.max_tests == 0) o.max_tests = 4 * o.pool_size;
  if (o.max_templates == 0) o.max_templates = 16;
  // CREATE DATABASE waits on the disk more than it computes: more cloners than cores.
  if (o.workers == 0) o.workers = std::clamp(2 * cores, 4, 8);
  if (o.pool_size < 1) return Status::InvalidInput("--pool-size: at least 1");
  if (o.max_tests < o.pool_size) {
    return Status::InvalidInput(
        fmt::format("--max-tests {}: at least the pool size ({})", o.max_tests, o.pool_size));
  }
  if (o.max_templates < 1) return Status::InvalidInput("--max-templates: at least 1");
  if (o.workers < 1) return Status::InvalidInput("--workers: at least 1");
  if (o.get_wait_ms < 0 || o.build_wait_ms < 0) return Status::InvalidInput("waits: 0 or more");
  return Status::Ok();
}

}  // namespace pgstack::testdb
