#include "pgstack/pg/conn_params.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <memory>

namespace pgstack::pg {

std::string PercentEncode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string ToUrl(const ConnParams& p, Redact redact) {
  std::string url = "postgresql://" + PercentEncode(p.user);
  if (!p.password.empty()) {
    url += ':';
    url += redact == Redact::kYes ? std::string("********") : PercentEncode(p.password);
  }
  url += "@";
  const bool socket = !p.host.empty() && p.host[0] == '/';
  if (!socket) url += p.host.find(':') != std::string::npos ? "[" + p.host + "]" : p.host;
  url += fmt::format(":{}/{}", p.port, PercentEncode(p.dbname));
  std::string query;
  auto add = [&](std::string_view k, const std::string& v) {
    query += query.empty() ? '?' : '&';
    query += k;
    query += '=';
    query += PercentEncode(v);
  };
  if (socket) add("host", p.host);
  if (!p.sslmode.empty()) add("sslmode", p.sslmode);
  if (!p.gssencmode.empty()) add("gssencmode", p.gssencmode);
  return url + query;
}

Result<ConnParams> ParseConnString(std::string_view conn, const ConnParams& defaults) {
  char* err = nullptr;
  std::string copy(conn);
  PQconninfoOption* opts = PQconninfoParse(copy.c_str(), &err);
  if (!opts) {
    std::string why = err ? err : "out of memory";
    PQfreemem(err);
    while (!why.empty() && why.back() == '\n') why.pop_back();
    // libpq's message can quote the offending fragment; keep only its first clause.
    return Status::InvalidInput("invalid connection string (" + why.substr(0, why.find('"')) + ")");
  }
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> guard(opts, PQconninfoFree);
  ConnParams p = defaults;
  for (PQconninfoOption* o = opts; o->keyword; ++o) {
    if (!o->val || !*o->val) continue;
    std::string_view k = o->keyword;
    std::string v = o->val;
    if (k == "host" || k == "hostaddr")
      p.host = v;
    else if (k == "port")
      p.port = std::atoi(v.c_str());
    else if (k == "user")
      p.user = v;
    else if (k == "dbname")
      p.dbname = v;
    else if (k == "password")
      p.password = v;
    else if (k == "sslmode")
      p.sslmode = v;
    else if (k == "gssencmode")
      p.gssencmode = v;
    else if (k == "application_name")
      p.application_name = v;
    else if (k == "connect_timeout")
      p.connect_timeout_s = std::atoi(v.c_str());
  }
  if (p.port <= 0 || p.port > 65535)
    return Status::InvalidInput("invalid port in connection string");
  return p;
}

}  // namespace pgstack::pg
