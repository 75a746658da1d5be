// HTTP/1.1 requests as testdb's server reads them: a pure function from the bytes received so
// far to "need more", "here is a request (and how many bytes it took)", or "bad, answer this
// status". No sockets here, so that tests and a fuzzer can feed it anything.
//
// Supported: a request line, headers, and a body framed by Content-Length (what IntegreSQL's
// clients send). Rejected: Transfer-Encoding (501), conflicting or malformed Content-Length
// (400), header sections over kMaxHeaderBytes (431), bodies over the caller's limit (413),
// HTTP versions other than 1.0 and 1.1 (505). Lines may end in CRLF or a bare LF.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgstack::testdb {

inline constexpr size_t kMaxHeaderBytes = size_t{16} * 1024;

struct HttpRequest {
  std::string method;  // as sent (methods are case-sensitive)
  std::string target;  // the request target as sent: path and query
  int minor_version = 1;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, values trimmed
  std::string body;
  bool keep_alive = true;  // HTTP/1.1 unless "Connection: close"; 1.0 only with keep-alive

  std::string_view path() const;  // target without the query
  // The first header named name (lower case), "" when absent.
  std::string_view header(std::string_view name) const;
};

struct ParseResult {
  enum class State { kIncomplete, kComplete, kBad } state = State::kIncomplete;
  size_t consumed = 0;            // kComplete: bytes of input this request took
  HttpRequest request;            // kComplete
  int status = 0;                 // kBad: the status code to answer with
  std::string error;              // kBad: why, one line
  bool headers_complete = false;  // kIncomplete: the header section is in, the body is not yet
};

ParseResult ParseHttpRequest(std::string_view input, size_t max_body);

}  // namespace pgstack::testdb
