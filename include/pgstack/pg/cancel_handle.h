// Asks the server to cancel the statement a connection is running, from any thread or from a
// signal handler (Ctrl-C). Made by Connection::cancel_handle() on the connection's own thread;
// it holds its own copy of what a cancel needs (address, backend pid, secret key), so it stays
// valid whatever the connection's thread is doing, and after the connection closes (a cancel
// then reaches no statement). Move-only.
#pragma once

#include <memory>

#include "pgstack/core/status.h"

struct pg_cancel;  // libpq's PGcancel

namespace pgstack::pg {

class CancelHandle {
 public:
  // Sends the cancel request over a new connection to the server and returns when it was
  // delivered. The statement may finish before the server acts on it; the connection that ran
  // it then sees the statement's result, otherwise a kQueryCanceled (57014) error. Thread-safe.
  Status Cancel() const;

 private:
  friend class Connection;
  struct Free {
    void operator()(pg_cancel* c) const;
  };
  explicit CancelHandle(pg_cancel* c) : cancel_(c) {}
  std::unique_ptr<pg_cancel, Free> cancel_;
};

}  // namespace pgstack::pg
