#include "endpoint_vars.h"

#include <string_view>

namespace pgstack::cli {
namespace {

constexpr const char* kVariables[] = {"PGHOST",    "PGPORT",     "PGUSER",      "PGDATABASE",
                                      "PGSSLMODE", "PGPASSWORD", "DATABASE_URL"};

}  // namespace

std::vector<std::string> EndpointVariableNames() {
  return {std::begin(kVariables), std::end(kVariables)};
}

EnvVars EndpointVariables(const pg::ConnParams& p) {
  EnvVars vars;
  for (std::string_view name : kVariables) {
    std::string v = name == "PGHOST"       ? p.host
                    : name == "PGPORT"     ? std::to_string(p.port)
                    : name == "PGUSER"     ? p.user
                    : name == "PGDATABASE" ? p.dbname
                    : name == "PGSSLMODE"  ? p.sslmode
                    : name == "PGPASSWORD" ? p.password
                                           : pg::ToUrl(p, pg::Redact::kNo);
    if (name == "PGSSLMODE" && v.empty()) continue;
    vars.emplace_back(name, std::move(v));
  }
  return vars;
}

}  // namespace pgstack::cli
