// Where and how to connect. ConnParams is what libpq gets as keyword/value pairs, so a password
// never passes through a connection string that could end up in a log. ToUrl() renders a
// postgresql:// URL (for DATABASE_URL); its redacted form is the only one to print.
#pragma once

#include <string>
#include <string_view>

#include "pgstack/core/status.h"

namespace pgstack::pg {

struct ConnParams {
  std::string host;  // host name, IP address, or Unix socket directory (starts with '/')
  int port = 5432;
  std::string user;
  std::string dbname;
  std::string password;  // secret: never print it; print ToUrl(params, Redact::kYes)
  std::string application_name = "pgstack";
  int connect_timeout_s = 10;
  std::string sslmode;  // empty: libpq's default
  // empty: libpq's default ("prefer", which sets up GSSAPI, ~1.5 ms, before every TCP login);
  // "disable" where the server is known to have no Kerberos (pgstack's own local stack).
  std::string gssencmode;
  // Not for libpq: where the password came from and how to put it right, added to the error when
  // the server refuses it (a local stack names its credentials file and `pgstack up`).
  std::string auth_hint;
};

enum class Redact { kNo, kYes };

// postgresql://user:password@host:port/dbname?sslmode=..., every part percent-encoded. A socket
// directory becomes the host query parameter. With Redact::kYes the password reads "********".
std::string ToUrl(const ConnParams& params, Redact redact);

// Parses a URL or a key=value connection string (as libpq does, PQconninfoParse). Missing parts
// keep the values in defaults. Errors never echo the input, which may hold a password.
Result<ConnParams> ParseConnString(std::string_view conn, const ConnParams& defaults);

// The percent-encoding ToUrl uses for one component.
std::string PercentEncode(std::string_view s);

}  // namespace pgstack::pg
