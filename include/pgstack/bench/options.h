// What `pgstack bench pool` measures: the option values as the user gives them, parsed and
// checked here (so that the CLI stays thin and tests need no server), and the matrix of points
// they make. Parse errors are InvalidInput naming the flag.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgstack/core/status.h"

namespace pgstack::bench {

enum class EndpointKind { kDirect, kPooled };
enum class ConnMode { kPersistent, kPerTransaction };  // per-transaction: pgbench's -C
enum class WorkloadKind { kSelect, kWrite, kJsonb, kCustomSql };

std::string_view Name(EndpointKind e);
std::string_view Name(ConnMode m);
std::string_view Name(WorkloadKind w);

using Duration = std::chrono::nanoseconds;

// The flags as typed; defaults are the documented ones.
struct PoolFlags {
  std::string endpoints = "direct,pooled";
  bool endpoints_given = false;
  std::string modes = "persistent";
  std::string clients = "1,10,50,100,200";
  std::string workload = "select";
  std::string sql;  // --sql: the user's statement (then --workload must stay unset)
  bool workload_given = false;
  std::string duration = "10s";  // core/duration.h; at most a day
  std::string warmup = "2s";
  int threads = 0;  // 0: one per CPU, at most one per client
  std::string svg;  // --svg FILE
  bool log_statement_off = false;
  bool read_only = false;  // --read-only: through the read pool, pooled only
};

struct PoolOptions {
  std::vector<EndpointKind> endpoints;  // in the order given
  std::vector<ConnMode> modes;
  std::vector<int> clients;
  WorkloadKind workload = WorkloadKind::kSelect;
  std::string sql;
  Duration duration{};
  Duration warmup{};
  int threads = 0;
  std::string svg;
  bool log_statement_off = false;
  // The pooled points go through PgBouncer's read pool ("<database>_ro"), and each reports the
  // share of its transactions each replica served. Pooled only, and a workload that only reads.
  bool read_only = false;
};

Result<PoolOptions> ParsePoolFlags(const PoolFlags& flags);

// One measured point of the matrix.
struct Point {
  EndpointKind endpoint;
  ConnMode mode;
  int clients;
};

// Every combination, endpoint-major then mode then clients, in the order given: a series (one
// endpoint and mode) runs with rising client counts, as a user reads the table.
std::vector<Point> Matrix(const PoolOptions& options);

// Load threads for a point: the requested count, or one per CPU; never more than clients.
int ThreadsFor(int requested, int clients, unsigned cpus);

}  // namespace pgstack::bench
