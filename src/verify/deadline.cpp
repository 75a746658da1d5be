#include "deadline.h"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <poll.h>

#include <string>

namespace pgstack::verify {

Result<pg::QueryResult> ExecWithin(pg::Connection& conn, std::string_view sql,
                                   std::chrono::milliseconds limit) {
  PGconn* c = conn.raw();
  std::string text(sql);
  if (!PQsendQuery(c, text.c_str())) return pg::StatusFromResult(nullptr, c);
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (true) {
    if (!PQconsumeInput(c)) return pg::StatusFromResult(nullptr, c);
    if (!PQisBusy(c)) break;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return Status::Failure(fmt::format("no answer within {} s", limit.count() / 1000.0));
    }
    pollfd pfd{PQsocket(c), POLLIN, 0};
    poll(&pfd, 1, static_cast<int>(left.count()));
  }
  // Keep the last result (one statement: the only one); an error result wins.
  pg::QueryResult last;
  Status error;
  while (PGresult* res = PQgetResult(c)) {
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE) {
      if (error.ok()) error = pg::StatusFromResult(res, c);
      PQclear(res);
    } else {
      last = pg::QueryResult(res);
    }
  }
  if (!error.ok()) return error;
  return last;
}

}  // namespace pgstack::verify
