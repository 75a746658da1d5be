// An HTTP response as testdb's server sends it: a status, a JSON body or none, and the framing
// (Content-Length, Connection) that goes with it.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace pgstack::testdb {

struct HttpResponse {
  int status = 200;
  std::string body;  // JSON; empty for 204
  std::string content_type = "application/json; charset=UTF-8";
  std::vector<std::pair<std::string, std::string>> headers;  // more header lines, as given
};

// "OK", "Not Found", ...; "Unknown" for a code this server never sends.
const char* ReasonPhrase(int status);
// The bytes on the wire. keep_alive false adds "Connection: close".
std::string Serialize(const HttpResponse& r, bool keep_alive);
// {"message": text}: the error body IntegreSQL's server (echo) sends.
HttpResponse ErrorResponse(int status, const std::string& message);

}  // namespace pgstack::testdb
