#include "pgstack/testdb/http_reader.h"

#include <fmt/format.h>

namespace pgstack::testdb {

RequestReader::RequestReader(const ReadLimits& limits, Clock::time_point now)
    : limits_(limits), since_(now) {}

void RequestReader::Append(std::string_view bytes, Clock::time_point now) {
  if (bytes.empty()) return;
  if (buf_.empty()) since_ = now;  // a request starts
  buf_.append(bytes);
}

void RequestReader::Resume(Clock::time_point now) {
  since_ = now;
  headers_at_.reset();
}

RequestReader::Clock::time_point RequestReader::deadline() const {
  if (buf_.empty()) return since_ + limits_.idle_timeout;
  if (headers_at_) return *headers_at_ + limits_.body_timeout;
  return since_ + limits_.header_timeout;
}

ReadStep RequestReader::Next(Clock::time_point now) {
  ParseResult p = ParseHttpRequest(buf_, limits_.max_body);
  if (p.state == ParseResult::State::kComplete) {
    ReadStep s;
    s.kind = ReadStep::Kind::kRequest;
    s.request = std::move(p.request);
    buf_.erase(0, p.consumed);
    since_ = now;
    headers_at_.reset();
    return s;
  }
  if (p.state == ParseResult::State::kBad) {
    return ReadStep{.kind = ReadStep::Kind::kReject, .status = p.status, .error = p.error};
  }
  if (p.headers_complete && !headers_at_) headers_at_ = now;
  if (now < deadline()) return {};
  if (buf_.empty()) return ReadStep{.kind = ReadStep::Kind::kClose};
  return ReadStep{
      .kind = ReadStep::Kind::kReject,
      .status = 408,
      .error = fmt::format("the request {} did not arrive within {} ms",
                           headers_at_ ? "body" : "headers",
                           (headers_at_ ? limits_.body_timeout : limits_.header_timeout).count())};
}

}  // namespace pgstack::testdb
