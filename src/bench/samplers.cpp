#include "pgstack/bench/samplers.h"

#include <algorithm>
#include <charconv>

#include "pgstack/core/parse_int.h"

namespace pgstack::bench {
namespace {

long long Number(const pg::QueryResult& r, int row, std::string_view column) {
  std::string_view v = r.get(row, column);
  long long n = 0;
  std::from_chars(v.data(), v.data() + v.size(), n);
  return n;
}

}  // namespace

Result<int> BackendSampler::Count() {
  PGSTACK_ASSIGN_OR_RETURN(
      auto r, conn_.Exec("SELECT count(*) FROM pg_stat_activity WHERE usename = $1 AND "
                         "datname = $2 AND backend_type = 'client backend' AND "
                         "pid <> pg_backend_pid()",
                         {role_, database_}));
  return core::ParseInt<int>(r.scalar(), "the count of the role's backends");
}

void BackendSampler::Sample() {
  auto n = Count();
  if (!n.ok()) {
    last_error_ = n.status();
    return;
  }
  peak_ = std::max(peak_, *n);
}

Result<PoolsRow> PoolerSampler::Pools() {
  PGSTACK_ASSIGN_OR_RETURN(auto r, console_.Exec("SHOW POOLS"));
  for (int i = 0; i < r.rows(); ++i) {
    if (r.get(i, "database") != database_ || r.get(i, "user") != user_) continue;
    PoolsRow p;
    p.cl_active = static_cast<int>(Number(r, i, "cl_active"));
    p.cl_waiting = static_cast<int>(Number(r, i, "cl_waiting"));
    p.sv_active = static_cast<int>(Number(r, i, "sv_active"));
    p.sv_idle = static_cast<int>(Number(r, i, "sv_idle"));
    p.sv_used = static_cast<int>(Number(r, i, "sv_used"));
    p.sv_tested = static_cast<int>(Number(r, i, "sv_tested"));
    p.sv_login = static_cast<int>(Number(r, i, "sv_login"));
    p.maxwait_ms = Number(r, i, "maxwait") * 1e3 + Number(r, i, "maxwait_us") / 1e3;
    return p;
  }
  return PoolsRow{};  // no pool yet: nobody has connected through PgBouncer
}

Result<StatsTotals> PoolerSampler::Stats() {
  PGSTACK_ASSIGN_OR_RETURN(auto r, console_.Exec("SHOW STATS"));
  for (int i = 0; i < r.rows(); ++i) {
    if (r.get(i, "database") != database_) continue;
    return StatsTotals{Number(r, i, "total_xact_count"), Number(r, i, "total_query_count"),
                       Number(r, i, "total_xact_time"), Number(r, i, "total_query_time"),
                       Number(r, i, "total_wait_time")};
  }
  return StatsTotals{};
}

Result<PoolerLimits> PoolerSampler::Limits() {
  PGSTACK_ASSIGN_OR_RETURN(auto r, console_.Exec("SHOW CONFIG"));
  PoolerLimits l;
  for (int i = 0; i < r.rows(); ++i) {
    std::string_view key = r.get(i, "key");
    std::string_view value = r.get(i, "value");
    int n = 0;
    std::from_chars(value.data(), value.data() + value.size(), n);
    if (key == "default_pool_size") l.default_pool_size = n;
    if (key == "reserve_pool_size") l.reserve_pool_size = n;
    if (key == "max_client_conn") l.max_client_conn = n;
    if (key == "max_db_connections") l.max_db_connections = n;
    if (key == "pool_mode") l.pool_mode = value;
  }
  return l;
}

StatsAverages Averages(const StatsTotals& a, const StatsTotals& b) {
  StatsAverages s;
  s.transactions = b.xact_count - a.xact_count;
  long long queries = b.query_count - a.query_count;
  if (s.transactions > 0) {
    s.xact_ms = (b.xact_time_us - a.xact_time_us) / 1e3 / s.transactions;
    s.wait_ms = (b.wait_time_us - a.wait_time_us) / 1e3 / s.transactions;
  }
  if (queries > 0) s.query_ms = (b.query_time_us - a.query_time_us) / 1e3 / queries;
  return s;
}

}  // namespace pgstack::bench
