// testdb's HTTP request parser on any bytes, with a body limit from the first byte; then the same
// bytes as a connection's reader sees them (http_reader.h), in chunks that arrive on a fake clock.
// Parser invariants: a complete request consumed at least one byte and at most the input, and
// the same bytes alone parse to the same request; every prefix of those bytes is incomplete (or
// bad, never complete with another length); a bad request carries a 4xx/5xx status and a reason.
// Reader invariants: it hands out exactly the requests the parser finds, in order; a request's
// header deadline stays its first byte's time plus header_timeout however the rest trickles in
// (a slow client cannot push it back); it gives up (408, or a silent close when idle) only once
// the deadline has passed, and never while it is still to come.
#include "pgstack/testdb/http_request.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "pgstack/testdb/http_reader.h"
#include "require.h"

using namespace pgstack::testdb;

namespace {

void CheckParser(std::string_view in, size_t max_body) {
  ParseResult r = ParseHttpRequest(in, max_body);
  switch (r.state) {
    case ParseResult::State::kIncomplete:
      break;
    case ParseResult::State::kBad:
      Require(r.status >= 400 && r.status < 600 && !r.error.empty(), "bad without a status");
      Require(r.error.find('\n') == std::string::npos, "a reason of more than one line");
      break;
    case ParseResult::State::kComplete: {
      Require(r.consumed > 0 && r.consumed <= in.size(), "consumed out of bounds");
      Require(r.request.body.size() <= max_body, "a body over the limit");
      ParseResult again = ParseHttpRequest(in.substr(0, r.consumed), max_body);
      Require(again.state == ParseResult::State::kComplete && again.consumed == r.consumed &&
                  again.request.target == r.request.target && again.request.body == r.request.body,
              "the request's own bytes parse differently");
      ParseResult part = ParseHttpRequest(in.substr(0, r.consumed - 1), max_body);
      Require(part.state != ParseResult::State::kComplete, "a prefix parses as complete");
      (void)r.request.path();
      (void)r.request.header("content-length");
      break;
    }
  }
}

// Each chunk: one byte whose low 4 bits advance the clock (in 500 ms steps) and whose high 4 bits
// give the chunk's length (in 4-byte steps), then that many bytes.
void CheckReader(std::string_view in, size_t max_body) {
  using Clock = RequestReader::Clock;
  ReadLimits limits;
  limits.max_body = max_body;
  Clock::time_point now{};
  RequestReader reader(limits, now);
  std::string pending;  // what the reader should hold: the bytes no request has taken yet
  Clock::time_point started = now;  // when pending's request began (its first byte, or Resume)
  while (!in.empty()) {
    auto head = static_cast<unsigned char>(in[0]);
    now += std::chrono::milliseconds(500) * (head & 0x0f);
    std::string_view chunk = in.substr(1, size_t{4} * (head >> 4));
    in.remove_prefix(1 + chunk.size());
    if (pending.empty() && !chunk.empty()) started = now;
    pending.append(chunk);
    reader.Append(chunk, now);
    for (bool more = true; more;) {
      ReadStep step = reader.Next(now);
      ParseResult mirror = ParseHttpRequest(pending, max_body);
      switch (step.kind) {
        case ReadStep::Kind::kMore:
          Require(mirror.state == ParseResult::State::kIncomplete, "more for a parsed request");
          Require(now < reader.deadline(), "waiting past the deadline");
          if (!pending.empty() && !mirror.headers_complete) {
            Require(reader.deadline() == started + limits.header_timeout,
                    "the header deadline is not the request's first byte plus the timeout");
          }
          more = false;
          break;
        case ReadStep::Kind::kRequest:
          Require(mirror.state == ParseResult::State::kComplete &&
                      mirror.request.target == step.request.target &&
                      mirror.request.body == step.request.body,
                  "the reader's request is not the parser's");
          pending.erase(0, mirror.consumed);
          reader.Resume(now);
          started = now;
          break;
        case ReadStep::Kind::kReject:
          Require(step.status >= 400 && step.status < 600, "a rejection without a status");
          if (step.status == 408) {
            Require(!pending.empty() && now >= reader.deadline(), "408 before the deadline");
          } else {
            Require(mirror.state == ParseResult::State::kBad, "rejected what parses");
          }
          return;
        case ReadStep::Kind::kClose:
          Require(pending.empty() && now >= reader.deadline(), "closed before the idle deadline");
          return;
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t max_body = static_cast<size_t>(data[0]) * 64;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  CheckParser(in, max_body);
  CheckReader(in, max_body);
  return 0;
}
