#include <fmt/format.h>

#include <algorithm>

#include "pgstack/bench/pool_report.h"
#include "pgstack/core/text_table.h"
#include "pgstack/pg/error_class.h"

namespace pgstack::bench {
namespace {

double Tps(const PointResult& p) {
  return p.load.measured_s > 0 ? p.load.transactions / p.load.measured_s : 0;
}

uint64_t ErrorCount(const PointResult& p) {
  uint64_t n = 0;
  for (const auto& [k, v] : p.load.errors) n += v;
  return n;
}

// Connection attempts the server or PgBouncer refused for being full (errors are by SQLSTATE).
uint64_t Refusals(const PointResult& p) {
  uint64_t n = 0;
  for (const auto& [sqlstate, count] : p.load.errors) {
    if (pg::Classify(sqlstate) == pg::ErrorClass::kTooManyConnections) n += count;
  }
  return n;
}

std::string Errors(const PointResult& p) {
  std::string s;
  for (const auto& [k, v] : p.load.errors) s += fmt::format("{}{}x{}", s.empty() ? "" : " ", v, k);
  return s.empty() ? "0" : s;
}

std::string Clients(int n) { return n == 1 ? "1 client" : fmt::format("{} clients", n); }

std::string OrDash(bool present, const std::string& s) { return present ? s : "-"; }

const PointResult* Find(const PoolReport& r, EndpointKind e, ConnMode m, int clients) {
  for (const auto& p : r.results) {
    if (p.point.endpoint == e && p.point.mode == m && p.point.clients == clients) return &p;
  }
  return nullptr;
}

// The point of a series with the highest TPS.
const PointResult* Best(const PoolReport& r, EndpointKind e, ConnMode m) {
  const PointResult* best = nullptr;
  for (const auto& p : r.results) {
    if (p.point.endpoint != e || p.point.mode != m) continue;
    if (!best || Tps(p) > Tps(*best)) best = &p;
  }
  return best;
}

std::string DirectParagraph(const PoolReport& r) {
  const PointResult* largest = nullptr;
  const PointResult* refused = nullptr;
  for (const auto& p : r.results) {
    if (p.point.endpoint != EndpointKind::kDirect) continue;
    if (!largest || p.point.clients > largest->point.clients) largest = &p;
    if (Refusals(p) > 0 && (!refused || p.point.clients < refused->point.clients)) {
      refused = &p;
    }
  }
  if (!largest) return "";
  int usable = r.server.max_connections - r.server.superuser_reserved_connections;
  std::string s = fmt::format(
      "Direct: every client holds a server backend (a process) for as long as it is connected; "
      "at {} clients the server ran {} backends for the role. max_connections is {}, {} of them "
      "reserved for superusers, so at most {} sessions of ordinary roles fit, PgBouncer's server "
      "connections and other sessions included.",
      largest->point.clients,
      largest->server_connections_peak ? std::to_string(*largest->server_connections_peak) : "?",
      r.server.max_connections, r.server.superuser_reserved_connections, usable);
  if (refused) {
    s += fmt::format(
        " Beyond that the server refuses new clients with SQLSTATE 53300 (too many clients): at "
        "{} clients only {} got in and refused attempts were counted {} times.",
        refused->point.clients, refused->load.clients_connected_peak, Refusals(*refused));
  } else {
    s += " No point of this run reached that limit.";
  }
  return s;
}

std::string PooledParagraph(const PoolReport& r) {
  if (!r.pooler_limits) return "";
  const PoolerLimits& l = *r.pooler_limits;
  const PointResult* largest = nullptr;
  for (const auto& p : r.results) {
    if (p.point.endpoint != EndpointKind::kPooled) continue;
    if (!largest || p.point.clients > largest->point.clients) largest = &p;
  }
  if (!largest) return "";
  std::string s = fmt::format(
      "Pooled: PgBouncer ({} pooling) lends a server connection to a client only for the length of "
      "a {}, so clients share a pool of at most default_pool_size + reserve_pool_size = {} + {} = "
      "{} server connections per database and user.",
      l.pool_mode, l.pool_mode == "transaction" ? "transaction" : l.pool_mode, l.default_pool_size,
      l.reserve_pool_size, l.default_pool_size + l.reserve_pool_size);
  s += fmt::format(
      " At {} clients the server ran {} backends for the role and there were {} errors",
      largest->point.clients,
      largest->server_connections_peak ? std::to_string(*largest->server_connections_peak) : "?",
      ErrorCount(*largest));
  const PointResult* refused = nullptr;
  for (const auto& p : r.results) {
    if (p.point.endpoint == EndpointKind::kPooled && Refusals(p) > 0 &&
        (!refused || p.point.clients < refused->point.clients)) {
      refused = &p;
    }
  }
  if (largest->pooler && largest->pooler->sampled) {
    s += fmt::format(
        "; clients beyond the pool waited in PgBouncer's queue instead of being "
        "refused (up to {} waiting at once, the longest for {:.1f} ms; {:.3f} ms "
        "average wait per transaction)",
        largest->pooler->cl_waiting_peak, largest->pooler->maxwait_ms,
        largest->pooler->stats.wait_ms);
  }
  s += fmt::format(
      ". PgBouncer accepts up to max_client_conn = {} clients (its own console "
      "included) and refuses the next with 53300",
      l.max_client_conn);
  if (refused) {
    s += fmt::format(": at {} clients only {} got in, and refused attempts were counted {} times",
                     refused->point.clients, refused->load.clients_connected_peak,
                     Refusals(*refused));
  }
  s += ". PgBouncer keeps idle server connections open (server_idle_timeout), so a pooled "
       "point's count includes those an earlier point opened.";
  return s;
}

// The direct and pooled points of mode m at the same client count, the largest (or smallest)
// such count; false when the run has none.
bool Pair(const PoolReport& r, ConnMode m, bool largest, const PointResult** d,
          const PointResult** p) {
  *d = *p = nullptr;
  for (const auto& x : r.results) {
    if (x.point.endpoint != EndpointKind::kDirect || x.point.mode != m) continue;
    const PointResult* y = Find(r, EndpointKind::kPooled, m, x.point.clients);
    if (!y) continue;
    if (!*d ||
        (largest ? x.point.clients > (*d)->point.clients : x.point.clients < (*d)->point.clients)) {
      *d = &x;
      *p = y;
    }
  }
  return *d != nullptr;
}

std::string ComparisonParagraph(const PoolReport& r, ConnMode m) {
  const PointResult *d, *p, *d1, *p1;
  if (!Pair(r, m, true, &d, &p)) return "";
  Pair(r, m, false, &d1, &p1);
  std::string s = fmt::format(
      "{}, {} clients: direct {:.0f} tps (p99 {:.2f} ms), pooled {:.0f} tps (p99 {:.2f} ms).",
      m == ConnMode::kPersistent ? "Persistent connections" : "A new connection per transaction",
      d->point.clients, Tps(*d), Ms(d->load.latency.Percentile(99)), Tps(*p),
      Ms(p->load.latency.Percentile(99)));
  if (m == ConnMode::kPerTransaction && d1->load.connect.count() && p1->load.connect.count()) {
    s += fmt::format(
        " At {} a connection took {:.2f} ms directly (the server starts a "
        "backend process for each) against {:.2f} ms through PgBouncer (it hands "
        "out a server connection it already has), median; with more clients "
        "connecting at once the times include waiting for the CPU.",
        Clients(d1->point.clients), Ms(d1->load.connect.Percentile(50)),
        Ms(p1->load.connect.Percentile(50)));
  } else if (m == ConnMode::kPersistent && d1 != d) {
    s += fmt::format(
        " At {} the extra hop through PgBouncer shows: direct {:.0f} tps "
        "(p50 {:.3f} ms), pooled {:.0f} tps (p50 {:.3f} ms). With long-lived "
        "connections PgBouncer pays off when clients outnumber what the server runs "
        "well at once.",
        Clients(d1->point.clients), Tps(*d1), Ms(d1->load.latency.Percentile(50)), Tps(*p1),
        Ms(p1->load.latency.Percentile(50)));
  }
  return s;
}

// "176 direct clients (of 1000 asked for; the server refused the rest)": advice names the
// clients that got in, not the count requested.
std::string ClientsIn(const PointResult& p) {
  int in = p.load.clients_connected_peak;
  if (in <= 0 || in >= p.point.clients) {
    return fmt::format("{} {} clients", p.point.clients, Name(p.point.endpoint));
  }
  return fmt::format("{} {} clients (of {} asked for; the rest were refused)", in,
                     Name(p.point.endpoint), p.point.clients);
}

std::string SizingParagraph(const PoolReport& r) {
  const PointResult* best = Best(r, EndpointKind::kDirect, ConnMode::kPersistent);
  if (!best) best = Best(r, EndpointKind::kPooled, ConnMode::kPersistent);
  if (!best) return "";
  return fmt::format(
      "Choosing a pool size: on this machine ({} CPUs) throughput was highest at {} "
      "({:.0f} tps). The server does not get faster with more busy connections than it has CPUs "
      "(and disks) to run them: past that point extra connections add queueing inside the "
      "server and memory per backend, not throughput. Size default_pool_size near that figure "
      "(a small multiple of the CPU count), keep max_connections above the pool plus direct "
      "and admin sessions, and let max_client_conn absorb the clients; a client waiting in "
      "PgBouncer's queue costs a socket, a refused one costs an error.",
      r.cpus, ClientsIn(*best), Tps(*best));
}

// --read-only: the share of each pooled point's transactions each replica served (from its
// pg_stat_database), and whether the rotation spread them evenly.
std::string ReplicaParagraph(const PoolReport& r) {
  if (!r.read_only) return "";
  std::string out = "Through the read pool, each replica served (pg_stat_database):";
  for (const auto& p : r.results) {
    if (p.replicas.empty()) continue;
    std::vector<std::string> parts;
    for (const auto& s : p.replicas)
      parts.push_back(
          fmt::format("{} {:.1f}% ({} transactions)", s.server, s.share * 100, s.transactions));
    out += fmt::format(" {} {}: {}{}.", Name(p.point.mode), ClientsIn(p), fmt::join(parts, ", "),
                       EvenWithin(p.replicas, kEvenTolerance) ? "" : " (not within 25% of even)");
  }
  return out;
}

}  // namespace

std::vector<std::string> PoolTable(const PoolReport& r) {
  std::vector<std::vector<std::string>> rows = {
      {"endpoint", "mode", "clients", "tps", "p50 ms", "p95 ms", "p99 ms", "max ms", "connect ms",
       "errors", "server conns", "waiting", "maxwait ms"}};
  for (const auto& p : r.results) {
    const Histogram& h = p.load.latency;
    bool has = h.count() > 0;
    bool per_txn = p.point.mode == ConnMode::kPerTransaction;
    bool sampled = p.pooler && p.pooler->sampled;
    rows.push_back({
        std::string(Name(p.point.endpoint)),
        std::string(Name(p.point.mode)),
        std::to_string(p.point.clients),
        fmt::format("{:.0f}", Tps(p)),
        OrDash(has, fmt::format("{:.3f}", Ms(h.Percentile(50)))),
        OrDash(has, fmt::format("{:.3f}", Ms(h.Percentile(95)))),
        OrDash(has, fmt::format("{:.3f}", Ms(h.Percentile(99)))),
        OrDash(has, fmt::format("{:.3f}", Ms(h.max()))),
        OrDash(per_txn && p.load.connect.count() > 0,
               fmt::format("{:.3f}", Ms(p.load.connect.Percentile(50)))),
        Errors(p),
        OrDash(p.server_connections_peak.has_value(),
               std::to_string(p.server_connections_peak.value_or(0))),
        OrDash(sampled, std::to_string(sampled ? p.pooler->cl_waiting_peak : 0)),
        OrDash(sampled, fmt::format("{:.1f}", sampled ? p.pooler->maxwait_ms : 0.0)),
    });
  }
  return core::AlignedTable(rows, {0, 1, 9});  // words left, figures right
}

std::vector<std::string> ExplainPool(const PoolReport& r) {
  std::vector<std::string> out;
  for (std::string s :
       {DirectParagraph(r), PooledParagraph(r), ComparisonParagraph(r, ConnMode::kPersistent),
        ComparisonParagraph(r, ConnMode::kPerTransaction), SizingParagraph(r),
        ReplicaParagraph(r)}) {
    if (!s.empty()) out.push_back(std::move(s));
  }
  if (r.server.log_statement != "none" && !r.log_statement_turned_off) {
    out.push_back(
        fmt::format("log_statement was '{}' during the run: the server logged every "
                    "statement, which lowers all figures (--log-statement-off).",
                    r.server.log_statement));
  }
  out.emplace_back(
      "server conns: peak backends of the role and database in pg_stat_activity; "
      "waiting / maxwait: PgBouncer's SHOW POOLS cl_waiting and maxwait; connect ms: "
      "median time to open a connection; errors: by SQLSTATE, warmup included.");
  return out;
}

}  // namespace pgstack::bench
