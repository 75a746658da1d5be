// `pgstack bench pool`: the matrix of endpoints x modes x client counts, each point a load run
// (load.h) watched from the side (samplers.h), with the workload's tables set up before and
// removed after. Never prints: figures come back in a PoolReport, messages through BenchHooks.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pgstack/bench/load.h"
#include "pgstack/bench/options.h"
#include "pgstack/bench/replica_shares.h"
#include "pgstack/bench/samplers.h"
#include "pgstack/core/status.h"
#include "pgstack/location/endpoints.h"

namespace pgstack::bench {

struct ServerFacts {
  std::string version;
  std::string log_statement;  // as it was when the bench started
  int max_connections = 0;
  int superuser_reserved_connections = 0;
};

// PgBouncer's view of one pooled point.
struct PoolerView {
  bool sampled = false;  // SHOW POOLS was read during the run (see note when not)
  std::string note;
  int cl_waiting_peak = 0;
  double maxwait_ms = 0;
  int server_connections_peak = 0;  // of the pool, as PgBouncer counts them
  StatsAverages stats;
};

struct PointResult {
  Point point;
  int threads = 0;
  LoadResult load;
  std::optional<int> server_connections_peak;  // nullopt when pg_stat_activity could not be read
  std::optional<PoolerView> pooler;            // pooled points
  std::vector<ReplicaShare> replicas;          // --read-only: what each replica served
};

struct PoolReport {
  WorkloadKind workload = WorkloadKind::kSelect;
  std::string workload_description;
  Duration duration{};
  Duration warmup{};
  unsigned cpus = 0;
  ServerFacts server;
  std::optional<PoolerLimits> pooler_limits;  // when a pooled point ran
  bool log_statement_turned_off = false;
  bool read_only = false;  // the pooled points went through the read pool
  std::vector<PointResult> results;
};

struct BenchHooks {
  std::function<void(const std::string&)> notice;    // something the user must read, up front
  std::function<void(const std::string&)> progress;  // a progress line, about twice a second
  const std::atomic<bool>* stop = nullptr;           // set to end early (exit 130)
};

Result<PoolReport> RunPoolBench(const location::Endpoints& endpoints, const PoolOptions& options,
                                const BenchHooks& hooks);

}  // namespace pgstack::bench
