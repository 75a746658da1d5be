// The variables that point libpq clients (and whatever reads DATABASE_URL) at an endpoint: what
// `pgstack env` and `pgstack testdb get --export` print, in any format env_format.h writes.
#pragma once

#include <string>
#include <vector>

#include "env_format.h"
#include "pgstack/pg/conn_params.h"

namespace pgstack::cli {

// Every variable EndpointVariables may set, in its order: `env --unset` unsets them all,
// whatever a given endpoint would set.
std::vector<std::string> EndpointVariableNames();

// PGHOST, PGPORT, PGUSER, PGDATABASE, PGSSLMODE (only when p names an sslmode), PGPASSWORD and
// DATABASE_URL (with its password): the one place a password is printed, on request.
EnvVars EndpointVariables(const pg::ConnParams& p);

}  // namespace pgstack::cli
