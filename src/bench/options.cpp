#include "pgstack/bench/options.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "pgstack/core/duration.h"

namespace pgstack::bench {
namespace {

constexpr int kMaxClients = 10000;  // far above any max_client_conn; a typo guard

std::vector<std::string_view> SplitList(std::string_view s) {
  std::vector<std::string_view> out;
  while (true) {
    auto comma = s.find(',');
    std::string_view item = s.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    out.push_back(item);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

// Parses a comma-separated list of names from `table` into values, without repeats.
template <typename T, size_t N>
Result<std::vector<T>> ParseNames(std::string_view text, std::string_view flag,
                                  const std::pair<std::string_view, T> (&table)[N]) {
  std::vector<T> out;
  for (std::string_view item : SplitList(text)) {
    const T* found = nullptr;
    for (const auto& [name, value] : table) {
      if (name == item) found = &value;
    }
    if (!found) {
      std::string choices;
      for (const auto& [name, value] : table)
        choices += (choices.empty() ? "" : ", ") + std::string(name);
      return Status::InvalidInput(
          fmt::format("{}: unknown value '{}' (choose from {})", flag, item, choices));
    }
    if (std::find(out.begin(), out.end(), *found) == out.end()) out.push_back(*found);
  }
  return out;
}

constexpr std::pair<std::string_view, EndpointKind> kEndpoints[] = {
    {"direct", EndpointKind::kDirect}, {"pooled", EndpointKind::kPooled}};
constexpr std::pair<std::string_view, ConnMode> kModes[] = {
    {"persistent", ConnMode::kPersistent}, {"per-transaction", ConnMode::kPerTransaction}};
constexpr std::pair<std::string_view, WorkloadKind> kWorkloads[] = {
    {"select", WorkloadKind::kSelect},
    {"write", WorkloadKind::kWrite},
    {"jsonb", WorkloadKind::kJsonb}};

Result<std::vector<int>> ParseClients(std::string_view text) {
  std::vector<int> out;
  for (std::string_view item : SplitList(text)) {
    int n = 0;
    auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), n);
    if (ec != std::errc() || end != item.data() + item.size() || item.empty() || n < 1 ||
        n > kMaxClients) {
      return Status::InvalidInput(
          fmt::format("--clients: '{}' is not a client count (a whole number from 1 to {})", item,
                      kMaxClients));
    }
    if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  }
  return out;
}

// A time every point runs for: at most a day, a guard against a typo that would hold the
// server for weeks.
Result<Duration> ParseRunTime(std::string_view text, std::string_view flag) {
  PGSTACK_ASSIGN_OR_RETURN(std::chrono::milliseconds d, core::ParseDuration(text, flag));
  if (d > std::chrono::hours(24)) {
    return Status::InvalidInput(fmt::format("{}: '{}' is longer than a day", flag, text));
  }
  return Duration(d);
}

// --read-only: replicas serve the points, so PgBouncer's read pool is the one endpoint (pooled,
// the default then) and the workload must only read.
Status ReadOnly(const PoolFlags& f, PoolOptions& o) {
  if (!f.endpoints_given) o.endpoints = {EndpointKind::kPooled};
  if (o.endpoints != std::vector<EndpointKind>{EndpointKind::kPooled})
    return Status::InvalidInput(
        "--read-only: the read pool is PgBouncer's; give --endpoint pooled (or leave it out)");
  if (o.workload == WorkloadKind::kWrite)
    return Status::InvalidInput("--read-only: the write workload writes; replicas refuse it");
  o.read_only = true;
  return Status::Ok();
}

}  // namespace

std::string_view Name(EndpointKind e) { return e == EndpointKind::kDirect ? "direct" : "pooled"; }
std::string_view Name(ConnMode m) {
  return m == ConnMode::kPersistent ? "persistent" : "per-transaction";
}
std::string_view Name(WorkloadKind w) {
  switch (w) {
    case WorkloadKind::kSelect:
      return "select";
    case WorkloadKind::kWrite:
      return "write";
    case WorkloadKind::kJsonb:
      return "jsonb";
    case WorkloadKind::kCustomSql:
      return "sql";
  }
  return "?";
}

Result<PoolOptions> ParsePoolFlags(const PoolFlags& f) {
  PoolOptions o;
  PGSTACK_ASSIGN_OR_RETURN(o.endpoints, ParseNames(f.endpoints, "--endpoint", kEndpoints));
  PGSTACK_ASSIGN_OR_RETURN(o.modes, ParseNames(f.modes, "--mode", kModes));
  PGSTACK_ASSIGN_OR_RETURN(o.clients, ParseClients(f.clients));
  if (!f.sql.empty()) {
    if (f.workload_given) {
      return Status::InvalidInput("--sql: give either --sql or --workload, not both");
    }
    o.workload = WorkloadKind::kCustomSql;
    o.sql = f.sql;
  } else {
    PGSTACK_ASSIGN_OR_RETURN(auto w, ParseNames(f.workload, "--workload", kWorkloads));
    if (w.size() != 1) return Status::InvalidInput("--workload: give one workload");
    o.workload = w[0];
  }
  PGSTACK_ASSIGN_OR_RETURN(o.duration, ParseRunTime(f.duration, "--duration"));
  PGSTACK_ASSIGN_OR_RETURN(o.warmup, ParseRunTime(f.warmup, "--warmup"));
  if (o.duration < std::chrono::milliseconds(100)) {
    return Status::InvalidInput("--duration: measure for at least 100ms");
  }
  if (f.threads < 0 || f.threads > 256) {
    return Status::InvalidInput("--threads: give a count from 1 to 256 (0: one per CPU)");
  }
  o.threads = f.threads;
  o.svg = f.svg;
  o.log_statement_off = f.log_statement_off;
  if (f.read_only) PGSTACK_RETURN_IF_ERROR(ReadOnly(f, o));
  return o;
}

std::vector<Point> Matrix(const PoolOptions& o) {
  std::vector<Point> out;
  for (EndpointKind e : o.endpoints) {
    for (ConnMode m : o.modes) {
      for (int c : o.clients) out.push_back({e, m, c});
    }
  }
  return out;
}

int ThreadsFor(int requested, int clients, unsigned cpus) {
  int t = requested > 0 ? requested : static_cast<int>(std::max(1u, cpus));
  return std::max(1, std::min(t, clients));
}

}  // namespace pgstack::bench
