// What `pgstack promote` checks before a replica becomes the primary, so that no committed row
// is left behind: the replica streams from the primary while it runs, and, once the primary is
// stopped, has replayed the primary's WAL up to its shutdown checkpoint (its pg_control).
#pragma once

#include <string>

#include "cluster.h"
#include "internal.h"
#include "pgstack/core/status.h"
#include "pgstack/location/stack_state.h"
#include "pgstack/pg/connection.h"

namespace pgstack::stack {

// OK once replica `r` streams from the primary `primary` connects to (pg_stat_replication) and
// has replayed its WAL up to pg_current_wal_flush_lsn() (waited for a bounded while); else
// kCheckFailed naming what it does instead, or how far behind it is.
Status AwaitCaughtUp(pg::Connection& primary, const location::ReplicaState& r, int primary_port);

// How far the replica is from the end of the stopped old primary's WAL.
struct ReplayGap {
  bool caught_up = false;  // it replayed the old primary's shutdown checkpoint
  std::string end_lsn;     // the old primary's last checkpoint (pg_control)
  std::string replay_lsn;  // the replica's pg_last_wal_replay_lsn()
  long long bytes = 0;     // end_lsn - replay_lsn when not caught up (0 when at it)
};
// Waits (a bounded while: a streaming replica has received everything when the primary's fast
// shutdown ends, and replays it in moments) until `replica` replayed the WAL of `old_primary`,
// which is stopped. The gap when the wait ends either way.
Result<ReplayGap> AwaitReplayOf(const Cluster& old_primary, pg::Connection& replica);

// What a forced promote leaves behind, or the reason an unforced one is refused.
std::string DescribeGap(const location::ReplicaState& r, const ReplayGap& gap);

}  // namespace pgstack::stack
