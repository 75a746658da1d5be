#include "pgstack/testdb/http_response.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace pgstack::testdb {

const char* ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 410:
      return "Gone";
    case 413:
      return "Payload Too Large";
    case 423:
      return "Locked";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

std::string Serialize(const HttpResponse& r, bool keep_alive) {
  std::string out = fmt::format("HTTP/1.1 {} {}\r\n", r.status, ReasonPhrase(r.status));
  // 204 carries neither a body nor a Content-Length (RFC 9110 8.6).
  if (r.status != 204) {
    out += fmt::format("Content-Type: {}\r\nContent-Length: {}\r\n", r.content_type, r.body.size());
  }
  for (const auto& [name, value] : r.headers) out += fmt::format("{}: {}\r\n", name, value);
  if (!keep_alive) out += "Connection: close\r\n";
  out += "\r\n";
  if (r.status != 204) out += r.body;
  return out;
}

HttpResponse ErrorResponse(int status, const std::string& message) {
  return HttpResponse{status, nlohmann::json{{"message", message}}.dump(
                                  -1, ' ', false, nlohmann::json::error_handler_t::replace) +
                                  "\n"};
}

}  // namespace pgstack::testdb
