// The Connection methods beyond one statement at a time: scripts, time limits, COPY, notices.
#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>

#include "libpq_status.h"
#include "pgstack/pg/connection.h"

namespace pgstack::pg {
namespace {

using Clock = std::chrono::steady_clock;

// How long ExecWithin waits for the server to act on its cancel before it gives up the
// connection: a server that answers at all answers a cancel at once.
constexpr std::chrono::seconds kCancelGrace(1);
// PQputCopyData takes an int length.
constexpr size_t kCopyChunk = size_t{1} << 20;
constexpr std::string_view kQueryCanceled = "57014";

bool IsCopy(ExecStatusType st) {
  return st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH;
}

// Ends a COPY nobody feeds or reads, so that the connection returns to idle.
Status EndCopy(PGconn* c, ExecStatusType st) {
  if (st == PGRES_COPY_OUT) {
    char* buf = nullptr;
    while (PQgetCopyData(c, &buf, 0) > 0) PQfreemem(buf);
  } else {
    PQputCopyEnd(c, "COPY FROM STDIN needs its data (pgstack sends it only through CopyIn)");
  }
  return Status::Failure(
      "COPY to or from the client is not supported here (COPY ... FROM STDIN goes through "
      "CopyIn)");
}

void ReceiveNotice(void* arg, const PGresult* res) noexcept {
  const auto& handler = *static_cast<NoticeHandler*>(arg);
  if (!handler) return;
  auto field = [res](int code) {
    const char* v = PQresultErrorField(res, code);
    return std::string(v ? v : "");
  };
  handler(Notice{field(PG_DIAG_SEVERITY_NONLOCALIZED), field(PG_DIAG_SQLSTATE),
                 field(PG_DIAG_MESSAGE_PRIMARY)});
}

}  // namespace

Status DrainResults(PGconn* c, const std::function<void(PGresult*)>& keep) {
  Status error;
  while (PGresult* res = PQgetResult(c)) {
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE || IsCopy(st)) {
      Status s = IsCopy(st) ? EndCopy(c, st) : StatusFromResult(res, c);
      if (error.ok()) error = s;
      PQclear(res);
      continue;
    }
    keep(res);
  }
  return error;
}

Result<QueryResult> Connection::CollectResults() {
  QueryResult last;
  Status error = DrainResults(conn_.get(), [&](PGresult* r) { last = QueryResult(r); });
  if (!error.ok()) return error;
  return last;
}

Result<bool> Connection::AwaitResult(Clock::time_point deadline) {
  PGconn* c = conn_.get();
  while (true) {
    if (!PQconsumeInput(c)) {
      Status lost = StatusFromResult(nullptr, c);
      (void)CollectResults();  // the lost connection's error results; leaves it idle
      return lost;
    }
    if (!PQisBusy(c)) return true;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd pfd{PQsocket(c), POLLIN, 0};
    poll(&pfd, 1, static_cast<int>(std::min<int64_t>(left.count(), 60'000)));
  }
}

ScriptResult Connection::ExecScript(std::string_view sql) {
  ScriptResult out;
  std::string text(sql);
  if (!PQsendQuery(conn_.get(), text.c_str())) {
    out.error = StatusFromResult(nullptr, conn_.get());
    return out;
  }
  out.error = DrainResults(conn_.get(), [&](PGresult* r) { out.results.emplace_back(r); });
  return out;
}

Result<QueryResult> Connection::ExecWithin(std::string_view sql, std::chrono::milliseconds limit) {
  PGconn* c = conn_.get();
  std::string text(sql);
  if (!PQsendQuery(c, text.c_str())) return StatusFromResult(nullptr, c);
  PGSTACK_ASSIGN_OR_RETURN(bool answered, AwaitResult(Clock::now() + limit));
  if (answered) return CollectResults();
  std::string late = fmt::format("no answer within {} s", limit.count() / 1000.0);
  auto handle = cancel_handle();
  bool sent = handle.ok() && handle->Cancel().ok();
  Result<bool> settled = sent ? AwaitResult(Clock::now() + kCancelGrace) : Result<bool>(false);
  if (settled.ok() && *settled) {
    (void)CollectResults();  // the cancel's error, or the statement's late result
    return Status::Postgres(late + "; the statement was cancelled", std::string(kQueryCanceled));
  }
  if (!broken()) {
    // Nothing answers: a later call would wait for this statement forever. Closing our end makes
    // libpq see the connection end, so that every later call fails at once.
    shutdown(PQsocket(c), SHUT_RDWR);
    (void)PQconsumeInput(c);
    (void)CollectResults();
  }
  return Status::Postgres(late + "; nor to the cancel, so the connection was closed",
                          std::string(kQueryCanceled));
}

Result<QueryResult> Connection::CopyIn(std::string_view copy_sql, std::string_view data) {
  PGconn* c = conn_.get();
  std::string text(copy_sql);
  PGresult* started = PQexec(c, text.c_str());
  ExecStatusType st = started ? PQresultStatus(started) : PGRES_FATAL_ERROR;
  if (st != PGRES_COPY_IN) {
    Status s = st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE
                   ? StatusFromResult(started, c)
                   : Status::Failure("CopyIn runs a COPY ... FROM STDIN statement, not this one");
    PQclear(started);
    if (IsCopy(st)) (void)EndCopy(c, st);
    (void)CollectResults();
    return s;
  }
  PQclear(started);
  Status sent;
  for (size_t at = 0; at < data.size() && sent.ok(); at += kCopyChunk) {
    int n = static_cast<int>(std::min(kCopyChunk, data.size() - at));
    if (PQputCopyData(c, data.data() + at, n) != 1) sent = StatusFromResult(nullptr, c);
  }
  if (sent.ok() && PQputCopyEnd(c, nullptr) != 1) sent = StatusFromResult(nullptr, c);
  // The server's verdict on the rows (a bad line, a constraint) says more than a failed send.
  auto done = CollectResults();
  if (!done.ok() || sent.ok()) return done;
  return sent.WithContext("sending COPY data");
}

void Connection::SetNoticeHandler(NoticeHandler handler) {
  if (!notice_handler_) notice_handler_ = std::make_unique<NoticeHandler>();
  *notice_handler_ = std::move(handler);
  PQsetNoticeReceiver(conn_.get(), ReceiveNotice, notice_handler_.get());
}

}  // namespace pgstack::pg
