#include "pgstack/testdb/http_request.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

namespace pgstack::testdb {
namespace {

ParseResult Bad(int status, std::string why) {
  ParseResult r;
  r.state = ParseResult::State::kBad;
  r.status = status;
  r.error = std::move(why);
  return r;
}

// RFC 9110 token characters: what a method and a header name may hold.
bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  static constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || kExtra.find(c) != std::string_view::npos;
  });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Whether a comma-separated header value lists token (case-insensitively).
bool ListHas(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    size_t comma = value.find(',');
    if (Lower(Trim(value.substr(0, comma))) == token) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

// The end of the header section: the offset just past the empty line, npos when not there yet.
size_t HeaderEnd(std::string_view in) {
  for (size_t i = in.find('\n'); i != std::string_view::npos; i = in.find('\n', i + 1)) {
    if (i + 1 < in.size() && in[i + 1] == '\n') return i + 2;
    if (i + 2 < in.size() && in[i + 1] == '\r' && in[i + 2] == '\n') return i + 3;
  }
  return std::string_view::npos;
}

}  // namespace

std::string_view HttpRequest::path() const {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

std::string_view HttpRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return {};
}

ParseResult ParseHttpRequest(std::string_view in, size_t max_body) {
  // Empty lines before a request line are allowed (RFC 9112 2.2).
  size_t lead = 0;
  while (lead < in.size() && (in[lead] == '\r' || in[lead] == '\n')) ++lead;
  std::string_view rest = in.substr(lead);
  size_t end = HeaderEnd(rest);
  if (end == std::string_view::npos) {
    if (rest.size() > kMaxHeaderBytes) return Bad(431, "header section too large");
    return {};
  }
  if (end > kMaxHeaderBytes) return Bad(431, "header section too large");
  std::string_view head = rest.substr(0, end);

  ParseResult r;
  HttpRequest& req = r.request;
  bool first = true;
  std::optional<size_t> length;
  while (!head.empty()) {
    size_t nl = head.find('\n');
    std::string_view line = head.substr(0, nl);
    head.remove_prefix(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find('\r') != std::string_view::npos || line.find('\0') != std::string_view::npos) {
      return Bad(400, "stray CR or NUL in the header section");
    }
    if (first) {
      first = false;
      size_t sp1 = line.find(' ');
      size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
      if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
        return Bad(400, "malformed request line");
      }
      std::string_view method = line.substr(0, sp1);
      std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
      std::string_view version = line.substr(sp2 + 1);
      if (!IsToken(method)) return Bad(400, "malformed method");
      if (target.empty() || target[0] != '/') return Bad(400, "the target must be a path");
      if (version == "HTTP/1.1") {
        req.minor_version = 1;
      } else if (version == "HTTP/1.0") {
        req.minor_version = 0;
      } else if (version.substr(0, 5) == "HTTP/") {
        return Bad(505, "HTTP version not supported");
      } else {
        return Bad(400, "malformed HTTP version");
      }
      req.method = method;
      req.target = target;
      continue;
    }
    if (line.empty()) break;  // the empty line ending the section
    if (line[0] == ' ' || line[0] == '\t') return Bad(400, "obsolete header line folding");
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || !IsToken(line.substr(0, colon))) {
      return Bad(400, "malformed header line");
    }
    std::string name = Lower(line.substr(0, colon));
    std::string_view value = Trim(line.substr(colon + 1));
    if (name == "transfer-encoding") return Bad(501, "Transfer-Encoding is not supported");
    if (name == "content-length") {
      size_t n = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (value.empty() || ec != std::errc() || p != value.data() + value.size()) {
        return Bad(400, "malformed Content-Length");
      }
      if (length && *length != n) return Bad(400, "conflicting Content-Length headers");
      length = n;
    }
    req.headers.emplace_back(std::move(name), std::string(value));
  }
  if (req.method.empty()) return Bad(400, "no request line");

  std::string_view connection = req.header("connection");
  req.keep_alive =
      req.minor_version == 1 ? !ListHas(connection, "close") : ListHas(connection, "keep-alive");
  size_t body = length.value_or(0);
  if (body > max_body) return Bad(413, "body too large");
  if (rest.size() - end < body) {
    ParseResult more;
    more.headers_complete = true;
    return more;
  }
  req.body = std::string(rest.substr(end, body));
  r.state = ParseResult::State::kComplete;
  r.consumed = lead + end + body;
  return r;
}

}  // namespace pgstack::testdb
