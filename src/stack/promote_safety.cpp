#include "promote_safety.h"

#include <fmt/format.h>

#include <cstdint>
#include <cstring>
#include <fstream>

#include "pgstack/core/wait.h"
#include "pgstack/stack/replica.h"

namespace pgstack::stack {
namespace {

// How long a replica that streams gets to replay what it has not yet: moments, unless it is
// stuck (paused, or replaying something slow).
constexpr std::chrono::seconds kReplayBound(15);

// The start of the last checkpoint record of a stopped cluster (its shutdown checkpoint when it
// stopped cleanly), as "X/X", read from global/pg_control as pg_controldata does (which the
// server packages pgstack uses do not ship). PostgreSQL 17's ControlFileData begins: uint64
// system_identifier, uint32 pg_control_version (1700), uint32 catalog_version_no, DBState,
// pg_time_t time, XLogRecPtr checkPoint (offset 32), in the machine's byte order.
Result<std::string> LastCheckpoint(const std::string& data_dir) {
  std::string path = data_dir + "/global/pg_control";
  std::ifstream in(path, std::ios::binary);
  char head[40] = {};
  if (!in.read(head, sizeof(head)))
    return Status::Failure(fmt::format("{}: cannot read the control file", path));
  uint32_t version = 0;
  uint64_t lsn = 0;
  std::memcpy(&version, head + 8, sizeof(version));
  std::memcpy(&lsn, head + 32, sizeof(lsn));
  if (version != 1700)
    return Status::Failure(
        fmt::format("{}: pg_control_version {}, not PostgreSQL 17's", path, version));
  return fmt::format("{:X}/{:X}", lsn >> 32, lsn & 0xffffffffu);
}

}  // namespace

Status AwaitCaughtUp(pg::Connection& primary, const location::ReplicaState& r, int primary_port) {
  std::string state;
  long long behind = -1;  // bytes of flushed WAL not replayed yet; -1: nothing replayed
  Status waited = core::WaitUntil(
      {.what = fmt::format("replica {} to replay the primary's flushed WAL", r.node),
       .timeout = kReplayBound,
       .code = Code::kCheckFailed},
      [&] {
        auto q = primary.Exec(
            "SELECT state, coalesce(pg_wal_lsn_diff(pg_current_wal_flush_lsn(), replay_lsn), "
            "-1)::bigint FROM pg_stat_replication WHERE application_name = $1",
            {ReplicaSlotName(r.node)});
        if (!q.ok()) return core::Poll::Fail(q.status());
        state = q->rows() == 1 ? std::string(q->get(0, 0)) : "";
        if (state != "streaming") return core::Poll::Fail(Status::CheckFailed(""));
        auto b = q->get_int<long long>(0, 1);
        if (!b.ok()) return core::Poll::Fail(b.status());
        behind = *b;
        return behind == 0 ? core::Poll::Ready() : core::Poll::NotYet("behind");
      });
  if (waited.ok() || waited.code() != Code::kCheckFailed) return waited;
  if (state != "streaming") {
    return Status::CheckFailed(fmt::format(
        "replica {} (port {}) does not stream from the primary (port {}): {}, so it may lack "
        "committed rows; `pgstack up` makes it follow the primary, or --force promotes it anyway",
        r.node, r.port, primary_port, state.empty() ? "it is not connected" : "it is " + state));
  }
  return Status::CheckFailed(fmt::format(
      "replica {} (port {}) has not replayed the primary's flushed WAL within {} ({}): its "
      "rows would be lost; wait for it (status shows the lag), or --force promotes it anyway",
      r.node, r.port, core::FormatWaitDuration(kReplayBound),
      behind < 0 ? "nothing replayed yet" : fmt::format("{} bytes behind", behind)));
}

Result<ReplayGap> AwaitReplayOf(const Cluster& old_primary, pg::Connection& replica) {
  ReplayGap gap;
  PGSTACK_ASSIGN_OR_RETURN(gap.end_lsn, LastCheckpoint(old_primary.paths().data));
  // pg_last_wal_replay_lsn() is the end of the last record replayed: past the checkpoint's start
  // once the checkpoint itself is replayed.
  auto look = [&]() -> Status {
    PGSTACK_ASSIGN_OR_RETURN(auto q,
                             replica.Exec("SELECT coalesce(pg_last_wal_replay_lsn(), '0/0')::text, "
                                          "pg_last_wal_replay_lsn() > $1::pg_lsn, "
                                          "greatest(0, pg_wal_lsn_diff($1::pg_lsn, "
                                          "coalesce(pg_last_wal_replay_lsn(), '0/0')))::bigint",
                                          {gap.end_lsn}));
    gap.replay_lsn = q.get(0, 0);
    gap.caught_up = q.get(0, 1) == "t";
    PGSTACK_ASSIGN_OR_RETURN(gap.bytes, q.get_int<long long>(0, 2));
    return Status::Ok();
  };
  Status waited =
      core::WaitUntil({.what = "the replica to replay the old primary's last WAL",
                       .timeout = kReplayBound,
                       .code = Code::kCheckFailed},
                      [&] {
                        Status s = look();
                        if (!s.ok()) return core::Poll::Fail(s);
                        return gap.caught_up ? core::Poll::Ready()
                                             : core::Poll::NotYet("replayed to " + gap.replay_lsn);
                      });
  if (!waited.ok() && waited.code() != Code::kCheckFailed) return waited;
  return gap;
}

std::string DescribeGap(const location::ReplicaState& r, const ReplayGap& gap) {
  return fmt::format(
      "replica {} (port {}) has replayed the old primary's WAL only to {}, not to its last "
      "checkpoint at {} ({} bytes short): the transactions committed in between are not on it",
      r.node, r.port, gap.replay_lsn, gap.end_lsn, gap.bytes);
}

}  // namespace pgstack::stack
