#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <future>

#include "diff_scratch.h"
#include "pgstack/core/interrupt.h"
#include "pgstack/migrate/dump.h"
#include "pgstack/pg/interruptible.h"

namespace pgstack::migrate::internal {
namespace {

// Connections that load at once. Making relation files is most of a load, and the server does
// it on one core per connection: on two cores, two 200-table loads at once took 800-866 ms
// where one took 584-658 ms.
constexpr size_t kLanes = 2;

// The loaded schema's notices ("already exists, skipping") are not pgstack's to show; function
// bodies are checked when they run, not when they load (DumpSql's header says the same).
constexpr std::string_view kSettings =
    "SET client_min_messages = warning; SET check_function_bodies = false";

Status NotLoaded(const Status& s) {
  if (core::IsInterruption(s)) return s;
  return Status::Failure("the from schema's dump does not load into a scratch database: " +
                         s.message() + " (a bug in migrate dump; please report it)");
}

Result<pg::Connection> OpenLane(const ScratchDb& scratch) {
  PGSTACK_ASSIGN_OR_RETURN(pg::Connection c, scratch.Connect());
  PGSTACK_RETURN_IF_ERROR(c.Run(kSettings));
  return c;
}

// Whether a wave has work for a lane besides the first.
bool Shared(const DumpWave& w) {
  return std::any_of(w.lanes.begin() + 1, w.lanes.end(),
                     [](const std::string& l) { return !l.empty(); });
}

// Runs the wave's lanes at once, each script one implicit transaction. Lanes hold no table in
// common (DumpWaves), so they neither wait for nor need each other.
Status RunWave(const DumpWave& w, const std::function<pg::Connection&(size_t)>& lane) {
  std::vector<std::future<Status>> others;
  for (size_t i = 1; i < w.lanes.size(); ++i) {
    if (w.lanes[i].empty()) continue;
    others.push_back(std::async(std::launch::async,
                                [&, i] { return pg::RunInterruptible(lane(i), w.lanes[i]); }));
  }
  Status first = w.lanes[0].empty() ? Status::Ok() : pg::RunInterruptible(lane(0), w.lanes[0]);
  for (auto& done : others) {
    Status s = done.get();
    if (first.ok() && !s.ok()) first = s;
  }
  return first.ok() ? first : NotLoaded(first);
}

}  // namespace

Status LoadSchema(const ScratchDb& scratch, pg::Connection& conn, const Catalog& schema) {
  std::vector<DumpWave> waves = DumpWaves(schema, kLanes);
  // The other lanes connect while the first waves (schemas, types, functions) load; a schema
  // of one table (most diffs of a test, many real ones) never needs them.
  std::vector<std::future<Result<pg::Connection>>> opening;
  if (std::any_of(waves.begin(), waves.end(), Shared)) {
    for (size_t i = 1; i < kLanes; ++i) {
      opening.push_back(std::async(std::launch::async, OpenLane, std::cref(scratch)));
    }
  }
  PGSTACK_RETURN_IF_ERROR(conn.Run(kSettings));
  std::vector<pg::Connection> others;
  auto lane = [&](size_t i) -> pg::Connection& { return i == 0 ? conn : others[i - 1]; };
  for (const DumpWave& w : waves) {
    if (!Shared(w)) {
      if (Status s = pg::RunInterruptible(conn, w.lanes[0]); !s.ok()) return NotLoaded(s);
      continue;
    }
    for (auto& f : opening) {
      PGSTACK_ASSIGN_OR_RETURN(pg::Connection c, f.get());
      others.push_back(std::move(c));
    }
    opening.clear();
    PGSTACK_RETURN_IF_ERROR(RunWave(w, lane));
  }
  return Status::Ok();
}

}  // namespace pgstack::migrate::internal
