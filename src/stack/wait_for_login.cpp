#include <fmt/format.h>

#include "internal.h"
#include "pgstack/core/wait.h"

namespace pgstack::stack {

Result<pg::Connection> WaitForLogin(const pg::ConnParams& p, std::chrono::milliseconds timeout) {
  std::optional<pg::Connection> conn;
  PGSTACK_RETURN_IF_ERROR(
      core::WaitUntil({.what = fmt::format("{}:{} to let {} in", p.host, p.port, p.user),
                       .timeout = timeout,
                       .backoff = {.first = std::chrono::milliseconds(10),
                                   .growth = 1.5,
                                   .max = std::chrono::milliseconds(200)}},
                      [&] {
                        auto c = pg::Connection::Open(p);
                        Status s = c.ok() ? c->Run("SELECT 1") : c.status();
                        if (s.ok()) conn.emplace(std::move(*c));
                        return core::Poll::ReadyIf(s);
                      }));
  return std::move(*conn);
}

}  // namespace pgstack::stack
