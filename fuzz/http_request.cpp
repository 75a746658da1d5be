// testdb's HTTP request parser on any bytes, with a body limit from the first byte.
// Invariants: a complete request consumed at least one byte and at most the input, and the
// same bytes alone parse to the same request; every prefix of those bytes is incomplete (or bad,
// never complete with another length); a bad request carries a 4xx/5xx status and a reason.
#include "pgstack/testdb/http_request.h"

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "require.h"

using namespace pgstack::testdb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t max_body = static_cast<size_t>(data[0]) * 64;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
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
  return 0;
}
