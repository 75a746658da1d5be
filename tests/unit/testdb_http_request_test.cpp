// The HTTP request parser of testdb's server: framing, limits and the bad inputs it refuses.
#include <gtest/gtest.h>

#include "pgstack/testdb/http_request.h"
#include "pgstack/testdb/http_response.h"

namespace pgstack::testdb {
namespace {

using State = ParseResult::State;

TEST(TestdbHttpRequest, ParsesARequestWithABody) {
  std::string in =
      "POST /api/v1/templates?x=1 HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
      "Content-Length: 14\r\n\r\n{\"hash\":\"abc\"}";
  ParseResult r = ParseHttpRequest(in, 1024);
  ASSERT_EQ(r.state, State::kComplete) << r.error;
  EXPECT_EQ(r.consumed, in.size());
  EXPECT_EQ(r.request.method, "POST");
  EXPECT_EQ(r.request.path(), "/api/v1/templates");
  EXPECT_EQ(r.request.header("content-type"), "application/json");
  EXPECT_EQ(r.request.body, "{\"hash\":\"abc\"}");
  EXPECT_TRUE(r.request.keep_alive);
}

TEST(TestdbHttpRequest, NeedsMoreUntilHeadersAndBodyAreIn) {
  std::string in = "PUT /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello";
  for (size_t n = 0; n < in.size(); ++n) {
    EXPECT_EQ(ParseHttpRequest(in.substr(0, n), 1024).state, State::kIncomplete) << n;
  }
  EXPECT_EQ(ParseHttpRequest(in, 1024).state, State::kComplete);
}

TEST(TestdbHttpRequest, PipelinedRequestsAreTakenOneAtATime) {
  std::string one = "GET /a HTTP/1.1\r\n\r\n";
  std::string two = "GET /b HTTP/1.1\nConnection: close\n\n";  // bare LF is accepted
  ParseResult r = ParseHttpRequest(one + two, 1024);
  ASSERT_EQ(r.state, State::kComplete);
  EXPECT_EQ(r.consumed, one.size());
  ParseResult s = ParseHttpRequest(two, 1024);
  ASSERT_EQ(s.state, State::kComplete) << s.error;
  EXPECT_EQ(s.request.target, "/b");
  EXPECT_FALSE(s.request.keep_alive);
}

TEST(TestdbHttpRequest, Http10KeepsAliveOnlyWhenAsked) {
  EXPECT_FALSE(ParseHttpRequest("GET / HTTP/1.0\r\n\r\n", 10).request.keep_alive);
  EXPECT_TRUE(
      ParseHttpRequest("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", 10).request.keep_alive);
}

TEST(TestdbHttpRequest, RefusesWhatItCannotFrameOrUnderstand) {
  struct Case {
    std::string in;
    int status;
  } cases[] = {
      {"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 501},
      {"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nContent-Length: 2000\r\n\r\n", 413},
      {"GET / HTTP/2.0\r\n\r\n", 505},
      {"GET / FTP/1.1\r\n\r\n", 400},
      {"GET  / HTTP/1.1\r\n\r\n", 400},
      {"GET relative HTTP/1.1\r\n\r\n", 400},
      {"G(T / HTTP/1.1\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nNo colon here\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nA: b\rc\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nX: " + std::string(kMaxHeaderBytes, 'x') + "\r\n\r\n", 431},
      {"GET / HTTP/1.1\r\nX: " + std::string(kMaxHeaderBytes, 'x'), 431},  // never ends
  };
  for (const Case& c : cases) {
    ParseResult r = ParseHttpRequest(c.in, 1000);
    EXPECT_EQ(r.state, State::kBad) << c.in.substr(0, 60);
    EXPECT_EQ(r.status, c.status) << c.in.substr(0, 60) << ": " << r.error;
  }
}

TEST(TestdbHttpResponse, FramesBodiesAndOmitsThemFor204) {
  std::string ok = Serialize(HttpResponse{200, "{}"}, true);
  EXPECT_EQ(ok.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << ok;
  EXPECT_NE(ok.find("Content-Length: 2\r\n"), std::string::npos) << ok;
  EXPECT_EQ(ok.find("Connection: close"), std::string::npos);
  std::string none = Serialize(HttpResponse{204, ""}, false);
  EXPECT_EQ(none, "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(ErrorResponse(423, "x\xff").body, "{\"message\":\"x\xef\xbf\xbd\"}\n");
}

}  // namespace
}  // namespace pgstack::testdb
