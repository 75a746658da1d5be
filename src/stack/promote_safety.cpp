#include "promote_safety.h"

#include <fmt/format.h>

#include "pgstack/core/wait.h"
#include "pgstack/stack/replica.h"

namespace pgstack::stack {
namespace {

// How long a replica that streams gets to replay what it has not yet: moments, unless it is
// stuck (paused, or replaying something slow).
constexpr std::chrono::seconds kReplayBound(15);

// The value of `label` ("Latest checkpoint location") in pg_controldata's output.
Result<std::string> ControlValue(const std::string& output, const std::string& label) {
  size_t at = output.find(label + ":");
  if (at == std::string::npos)
    return Status::Failure(fmt::format("pg_controldata printed no \"{}\"", label));
  size_t from = output.find_first_not_of(' ', at + label.size() + 1);
  size_t to = output.find('\n', from);
  return output.substr(from, to == std::string::npos ? std::string::npos : to - from);
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
        r.node, r.port, primary_port,
        state.empty() ? "it is not connected" : "it is " + state));
  }
  return Status::CheckFailed(fmt::format(
      "replica {} (port {}) has not replayed the primary's flushed WAL within {} ({}): its "
      "rows would be lost; wait for it (status shows the lag), or --force promotes it anyway",
      r.node, r.port, core::FormatWaitDuration(kReplayBound),
      behind < 0 ? "nothing replayed yet" : fmt::format("{} bytes behind", behind)));
}

Result<ReplayGap> AwaitReplayOf(const Cluster& old_primary, pg::Connection& replica) {
  PGSTACK_ASSIGN_OR_RETURN(
      std::string control,
      RunAsForOutput(old_primary.runner(), old_primary.service(),
                     {old_primary.bin_dir() + "/pg_controldata", "-D", old_primary.paths().data},
                     "pg_controldata"));
  ReplayGap gap;
  PGSTACK_ASSIGN_OR_RETURN(gap.end_lsn, ControlValue(control, "Latest checkpoint location"));
  // pg_last_wal_replay_lsn() is the end of the last record replayed: past the checkpoint's start
  // once the checkpoint itself is replayed.
  auto look = [&]() -> Status {
    PGSTACK_ASSIGN_OR_RETURN(
        auto q, replica.Exec("SELECT coalesce(pg_last_wal_replay_lsn(), '0/0')::text, "
                             "pg_last_wal_replay_lsn() > $1::pg_lsn, "
                             "greatest(0, pg_wal_lsn_diff($1::pg_lsn, "
                             "coalesce(pg_last_wal_replay_lsn(), '0/0')))::bigint",
                             {gap.end_lsn}));
    gap.replay_lsn = q.get(0, 0);
    gap.caught_up = q.get(0, 1) == "t";
    PGSTACK_ASSIGN_OR_RETURN(gap.bytes, q.get_int<long long>(0, 2));
    return Status::Ok();
  };
  Status waited = core::WaitUntil(
      {.what = "the replica to replay the old primary's last WAL",
       .timeout = kReplayBound,
       .code = Code::kCheckFailed},
      [&] {
        Status s = look();
        if (!s.ok()) return core::Poll::Fail(s);
        return gap.caught_up ? core::Poll::Ready() : core::Poll::NotYet("replayed to " + gap.replay_lsn);
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
