// The knobs of testdb: pool sizes and caps (defaults from the core count, as IntegreSQL's), the
// clone strategy, and how long callers wait.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgstack/core/status.h"

namespace pgstack::testdb {

// How CREATE DATABASE copies a template (PostgreSQL 15+). WAL_LOG copies block by block through
// the WAL; FILE_COPY copies files and needs two checkpoints per database. Measured on this
// machine's small templates (bench/testdb-vs-create-database.sh), WAL_LOG is the faster and
// steadier one, so it is the default.
enum class Strategy { kWalLog, kFileCopy };
std::string_view StrategyName(Strategy s);                     // "WAL_LOG" / "FILE_COPY"
std::optional<Strategy> ParseStrategy(std::string_view text);  // either case

struct Options {
  int pool_size = 0;      // ready clones kept per template (warm pool)
  int max_tests = 0;      // test databases per template, in any state
  int max_templates = 0;  // ready templates; the least recently used one goes beyond it
  int workers = 0;        // background threads that clone and recreate
  Strategy strategy = Strategy::kWalLog;
  int get_wait_ms = 60000;    // how long a GET waits for a free database at the cap
  int build_wait_ms = 60000;  // how long a builder waits for another builder of its hash
  int lock_wait_ms = 100;     // the server's wait for a builder's lock before answering 423
  bool pooled = false;        // hand out PgBouncer's endpoint instead of the server's
  std::vector<std::string> extensions;  // created in every template (the environment's)
};

// Fills each size left at 0 from the core count; kInvalidInput naming the flag for a bad one.
Status Complete(Options& o);

}  // namespace pgstack::testdb
