// A connection driven by an event loop instead of blocking calls: libpq's non-blocking connect,
// send, flush and read, for the load generator, which keeps hundreds of clients busy on a few
// threads with epoll. Move-only; the destructor closes it (closing the socket also removes it
// from any epoll set). Not thread-safe: one thread per connection at a time.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string_view>

#include "pgstack/pg/connection.h"

struct pg_conn;

namespace pgstack::pg {

class AsyncConnection {
 public:
  enum class Progress { kReading, kWriting, kReady, kFailed };  // what the connect waits for
  enum class Flushed { kAll, kMore, kFailed };

  AsyncConnection() = default;
  // Starts connecting without waiting; open() is false when libpq could not even begin (no
  // memory, a bad parameter): then ConnectError() says why.
  static AsyncConnection Start(const LibpqParams& params);

  bool open() const { return conn_ != nullptr; }
  // The socket to wait on; -1 when there is none. libpq may replace it while it connects.
  int socket() const;
  // One step of the connect, to call when the socket is ready for what the last step asked.
  // On kReady the connection is switched to non-blocking sends.
  Progress PollConnect();
  // The SQLSTATE of a failed connect when the server sent one ("53300": too many connections),
  // else "".
  std::string_view ConnectSqlState() const;

  // Queues one simple-protocol query and sends what the socket takes; false when the
  // connection is lost.
  bool Send(const char* sql);
  // Sends more of what Send queued.
  Flushed Flush();

  // The outcome of one result of the query sent: failed, and the error's SQLSTATE when the
  // server gave one.
  struct Outcome {
    bool failed = false;
    std::array<char, 6> sqlstate{};  // NUL-terminated; empty when none
  };
  // Reads what arrived; false when the connection is lost.
  bool Read();
  // The next complete result, nullopt while more must be read; `done` is set once every result
  // of the query has come.
  std::optional<Outcome> Next(bool& done);

  bool lost() const;
  // Inside a transaction that failed: only ROLLBACK ends it.
  bool in_failed_transaction() const;
  // Asks the server to cancel the running statement and waits until the request is delivered.
  void Cancel();

 private:
  struct Finish {
    void operator()(pg_conn* c) const;
  };
  std::unique_ptr<pg_conn, Finish> conn_;
};

}  // namespace pgstack::pg
