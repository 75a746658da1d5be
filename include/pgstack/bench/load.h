// The load generator: `clients` libpq connections driven by a few threads, each thread running
// its share of clients over non-blocking libpq and epoll, one transaction in flight per client
// (as pgbench does, so that figures compare). Persistent clients connect once; per-transaction
// clients open a new connection for every transaction (pgbench -C), non-blocking too.
//
// Clients a server refuses (53300 too many clients, PgBouncer's max_client_conn, ...) are counted
// by SQLSTATE and retry after a growing pause, so a run above a limit reports refusals instead of
// failing. Every loop is bounded in time: warmup, then the measured window, then at most
// kDrainLimit for transactions still in flight, which are then abandoned.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "pgstack/bench/histogram.h"
#include "pgstack/bench/options.h"
#include "pgstack/bench/script.h"
#include "pgstack/core/status.h"
#include "pgstack/pg/conn_params.h"

namespace pgstack::bench {

inline constexpr Duration kDrainLimit = std::chrono::seconds(3);

enum class Phase { kWarmup, kMeasure, kDrain };

// What the caller's tick sees, about every kTickInterval, on the calling thread.
struct LoadTick {
  Phase phase;
  Duration elapsed;       // since the start of the run
  uint64_t transactions;  // completed so far, warmup included
  int clients_connected;  // now
};
inline constexpr Duration kTickInterval = std::chrono::milliseconds(100);

struct LoadSpec {
  pg::ConnParams target;
  ConnMode mode = ConnMode::kPersistent;
  int clients = 1;
  int threads = 1;
  Duration warmup{};
  Duration duration{};
  const Script* script = nullptr;
  // Set (by a signal handler, say) to end the run early; the result then says interrupted.
  const std::atomic<bool>* stop = nullptr;
  // Called on the calling thread while the load runs (sampling, progress). Keep it short.
  std::function<void(const LoadTick&)> on_tick;
};

struct LoadResult {
  double measured_s = 0;                   // the measured window's length
  uint64_t transactions = 0;               // completed inside the window
  Histogram latency;                       // of those transactions, ns (connection time excluded)
  Histogram connect;                       // every successful connection of the run, ns
  std::map<std::string, uint64_t> errors;  // by SQLSTATE, over the whole run
  int clients_connected_peak = 0;
  bool interrupted = false;
};

// Runs the load. Errors of individual transactions are counted, not returned; an error comes
// back only when the run itself cannot happen (no threads, no epoll).
Result<LoadResult> RunLoad(const LoadSpec& spec);

}  // namespace pgstack::bench
