// A connection's request reader on a fake clock: requests in order, and the header, body and idle
// deadlines that stop slow clients from holding a connection.
#include <gtest/gtest.h>

#include "pgstack/testdb/http_reader.h"

namespace pgstack::testdb {
namespace {

using Kind = ReadStep::Kind;
using std::chrono::milliseconds;
using std::chrono::seconds;

class Reader : public ::testing::Test {
 protected:
  ReadStep Feed(std::string_view bytes, milliseconds later = milliseconds(0)) {
    now_ += later;
    reader_.Append(bytes, now_);
    return reader_.Next(now_);
  }
  ReadStep At(milliseconds later) {
    now_ += later;
    return reader_.Next(now_);
  }
  RequestReader::Clock::time_point now_{};
  RequestReader reader_{ReadLimits{}, now_};
};

TEST_F(Reader, HandsOutPipelinedRequestsInOrder) {
  ReadStep a = Feed("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
  ASSERT_EQ(a.kind, Kind::kRequest);
  EXPECT_EQ(a.request.target, "/a");
  reader_.Resume(now_);
  ReadStep b = reader_.Next(now_);
  ASSERT_EQ(b.kind, Kind::kRequest);
  EXPECT_EQ(b.request.target, "/b");
  EXPECT_TRUE(reader_.idle());
}

TEST_F(Reader, TrickledHeadersGet408AtTheHeaderDeadlineOfTheFirstByte) {
  EXPECT_EQ(Feed("GET /a HTTP/1.1\r\n").kind, Kind::kMore);
  auto deadline = reader_.deadline();
  EXPECT_EQ(deadline, now_ + ReadLimits{}.header_timeout);
  // A header line every second does not push the deadline back.
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(Feed("X-Slow: 1\r\n", seconds(1)).kind, Kind::kMore) << i;
    EXPECT_EQ(reader_.deadline(), deadline) << i;
  }
  ReadStep late = Feed("X-Slow: 1\r\n", seconds(1));
  EXPECT_EQ(late.kind, Kind::kReject);
  EXPECT_EQ(late.status, 408);
  EXPECT_NE(late.error.find("headers"), std::string::npos) << late.error;
}

TEST_F(Reader, ALateBodyGets408AtTheBodyDeadline) {
  EXPECT_EQ(Feed("POST /a HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc", seconds(1)).kind,
            Kind::kMore);
  EXPECT_EQ(reader_.deadline(), now_ + ReadLimits{}.body_timeout);
  EXPECT_EQ(At(ReadLimits{}.body_timeout - milliseconds(1)).kind, Kind::kMore);
  ReadStep late = At(milliseconds(1));
  EXPECT_EQ(late.kind, Kind::kReject);
  EXPECT_EQ(late.status, 408);
  EXPECT_NE(late.error.find("body"), std::string::npos) << late.error;
}

TEST_F(Reader, AnIdleConnectionClosesSilentlyAndTheHandlerTimeDoesNotCount) {
  ASSERT_EQ(Feed("GET /a HTTP/1.1\r\n\r\n").kind, Kind::kRequest);
  now_ += seconds(40);  // the handler ran this long
  reader_.Resume(now_);
  EXPECT_EQ(At(ReadLimits{}.idle_timeout - milliseconds(1)).kind, Kind::kMore);
  EXPECT_EQ(At(milliseconds(1)).kind, Kind::kClose);
}

TEST_F(Reader, MalformedInputIsRejectedAtOnce) {
  ReadStep bad = Feed("NOT HTTP\r\n\r\n");
  EXPECT_EQ(bad.kind, Kind::kReject);
  EXPECT_EQ(bad.status, 400);
}

}  // namespace
}  // namespace pgstack::testdb
