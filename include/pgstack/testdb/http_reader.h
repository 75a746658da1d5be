// The requests of one connection as they arrive, with deadlines: a pure object (bytes and the
// time they came in; no sockets, no clock of its own) so that tests and a fuzzer drive it with
// a fake clock. A request's header section must arrive within header_timeout of its first byte,
// however slowly it trickles (a slow-client attack), and its body within body_timeout of the
// header section's end; both answer 408. A connection with no request under way is closed
// silently after idle_timeout. Parsing is http_request.h's.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "pgstack/testdb/http_request.h"

namespace pgstack::testdb {

struct ReadLimits {
  size_t max_body = size_t{1} << 20;
  std::chrono::milliseconds header_timeout{5000};
  std::chrono::milliseconds body_timeout{30000};
  std::chrono::milliseconds idle_timeout{30000};
};

struct ReadStep {
  enum class Kind {
    kMore,     // nothing to do until more bytes come (or the deadline passes)
    kRequest,  // request is complete and taken out of the buffer
    kReject,   // answer status (4xx) with error and close: malformed, too large, or too slow
    kClose,    // idle past idle_timeout: close without a word
  } kind = Kind::kMore;
  HttpRequest request;
  int status = 0;
  std::string error;
};

class RequestReader {
 public:
  using Clock = std::chrono::steady_clock;
  // A connection opened at now: idle from then.
  RequestReader(const ReadLimits& limits, Clock::time_point now);

  // Bytes received at now.
  void Append(std::string_view bytes, Clock::time_point now);
  // What the bytes received so far make at now. After kRequest, what followed the request is
  // the start of the next one, which the caller asks for again (after Resume, once answered).
  ReadStep Next(Clock::time_point now);
  // The previous request has been answered at now: the clock of what comes next (idle, or a
  // pipelined request already received) starts now, not while the handler ran.
  void Resume(Clock::time_point now);
  // When Next gives up if nothing more arrives.
  Clock::time_point deadline() const;
  // No byte of a request received since the last one (or the connection's start).
  bool idle() const { return buf_.empty(); }

 private:
  ReadLimits limits_;
  std::string buf_;
  Clock::time_point since_;  // idle: since when; else when the request's first byte came
  std::optional<Clock::time_point> headers_at_;  // when its header section was complete
};

}  // namespace pgstack::testdb
