#include "pgstack/pg/libpq_env.h"

#include <cstdlib>

namespace pgstack::pg {
namespace {

// The connection parameters' variables (unit test: the same as PQconndefaults() names), then
// those libpq reads besides: where pg_service.conf is, and settings sent to the server.
constexpr const char* kVariables[] = {"PGHOST",
                                      "PGHOSTADDR",
                                      "PGPORT",
                                      "PGDATABASE",
                                      "PGUSER",
                                      "PGPASSWORD",
                                      "PGPASSFILE",
                                      "PGREQUIREAUTH",
                                      "PGCHANNELBINDING",
                                      "PGSERVICE",
                                      "PGSERVICEFILE",
                                      "PGOPTIONS",
                                      "PGAPPNAME",
                                      "PGSSLMODE",
                                      "PGSSLNEGOTIATION",
                                      "PGREQUIRESSL",
                                      "PGSSLCOMPRESSION",
                                      "PGSSLCERT",
                                      "PGSSLKEY",
                                      "PGSSLCERTMODE",
                                      "PGSSLROOTCERT",
                                      "PGSSLCRL",
                                      "PGSSLCRLDIR",
                                      "PGSSLSNI",
                                      "PGREQUIREPEER",
                                      "PGSSLMINPROTOCOLVERSION",
                                      "PGSSLMAXPROTOCOLVERSION",
                                      "PGGSSENCMODE",
                                      "PGKRBSRVNAME",
                                      "PGGSSLIB",
                                      "PGGSSDELEGATION",
                                      "PGCONNECT_TIMEOUT",
                                      "PGCLIENTENCODING",
                                      "PGTARGETSESSIONATTRS",
                                      "PGLOADBALANCEHOSTS",
                                      "PGDATESTYLE",
                                      "PGTZ",
                                      "PGGEQO",
                                      "PGSYSCONFDIR",
                                      "PGLOCALEDIR"};

}  // namespace

std::span<const char* const> LibpqVariables() { return kVariables; }

void ClearLibpqEnvironment() {
  for (const char* name : kVariables) ::unsetenv(name);
}

}  // namespace pgstack::pg
