#include <cmath>

#include "pgstack/bench/pool_report.h"

namespace pgstack::bench {
namespace {

double Round(double v, double unit) { return std::round(v / unit) * unit; }

nlohmann::json Percentiles(const Histogram& h) {
  if (h.count() == 0) return nullptr;
  return {{"p50", Round(Ms(h.Percentile(50)), 1e-3)},
          {"p95", Round(Ms(h.Percentile(95)), 1e-3)},
          {"p99", Round(Ms(h.Percentile(99)), 1e-3)},
          {"max", Round(Ms(h.max()), 1e-3)},
          {"count", h.count()}};
}

}  // namespace

nlohmann::json PoolReportJson(const PoolReport& r) {
  nlohmann::json results = nlohmann::json::array();
  for (const PointResult& p : r.results) {
    const LoadResult& l = p.load;
    nlohmann::json j = {
        {"endpoint", Name(p.point.endpoint)},
        {"mode", Name(p.point.mode)},
        {"clients", p.point.clients},
        {"workload", Name(r.workload)},
        {"threads", p.threads},
        {"duration_s", l.measured_s},
        {"transactions", l.transactions},
        {"tps", l.measured_s > 0 ? Round(l.transactions / l.measured_s, 0.1) : 0.0},
        {"latency_ms", Percentiles(l.latency)},
        {"connect_ms", Percentiles(l.connect)},
        {"errors", l.errors},
        {"clients_connected_peak", l.clients_connected_peak},
        {"server_connections_peak",
         p.server_connections_peak ? nlohmann::json(*p.server_connections_peak) : nullptr},
    };
    if (j["errors"].is_null()) j["errors"] = nlohmann::json::object();
    if (p.pooler) {
      const PoolerView& v = *p.pooler;
      j["pgbouncer"] = {
          {"sampled", v.sampled},
          {"cl_waiting_peak", v.sampled ? nlohmann::json(v.cl_waiting_peak) : nullptr},
          {"maxwait_ms", v.sampled ? nlohmann::json(Round(v.maxwait_ms, 1e-3)) : nullptr},
          {"server_connections_peak",
           v.sampled ? nlohmann::json(v.server_connections_peak) : nullptr},
          {"stats",
           {{"transactions", v.stats.transactions},
            {"avg_xact_ms", Round(v.stats.xact_ms, 1e-3)},
            {"avg_query_ms", Round(v.stats.query_ms, 1e-3)},
            {"avg_wait_ms", Round(v.stats.wait_ms, 1e-3)}}},
      };
      if (!v.note.empty()) j["pgbouncer"]["note"] = v.note;
    }
    if (!p.replicas.empty()) {
      j["replicas"] = nlohmann::json::array();
      for (const ReplicaShare& s : p.replicas)
        j["replicas"].push_back({{"server", s.server},
                                 {"transactions", s.transactions},
                                 {"share", Round(s.share, 1e-4)}});
      j["replicas_even"] = EvenWithin(p.replicas, kEvenTolerance);
    }
    results.push_back(std::move(j));
  }
  nlohmann::json doc = {
      {"workload", {{"name", Name(r.workload)}, {"description", r.workload_description}}},
      {"duration_s", std::chrono::duration<double>(r.duration).count()},
      {"warmup_s", std::chrono::duration<double>(r.warmup).count()},
      {"cpus", r.cpus},
      {"server",
       {{"version", r.server.version},
        {"log_statement", r.server.log_statement},
        {"log_statement_turned_off", r.log_statement_turned_off},
        {"max_connections", r.server.max_connections},
        {"superuser_reserved_connections", r.server.superuser_reserved_connections}}},
      {"read_only", r.read_only},
      {"results", std::move(results)},
      {"explanation", ExplainPool(r)},
  };
  if (r.pooler_limits) {
    const PoolerLimits& p = *r.pooler_limits;
    doc["pgbouncer"] = {{"pool_mode", p.pool_mode},
                        {"default_pool_size", p.default_pool_size},
                        {"reserve_pool_size", p.reserve_pool_size},
                        {"max_client_conn", p.max_client_conn},
                        {"max_db_connections", p.max_db_connections}};
  }
  return doc;
}

}  // namespace pgstack::bench
