// The environment variables libpq reads for the defaults of a connection (PostgreSQL 17's libpq
// docs, "Environment Variables"). A user's shell often holds some (PGSERVICE, PGOPTIONS,
// PGTARGETSESSIONATTRS, or the exports of `pgstack env` for another stack); on pgstack's own
// connections to a local stack each would change what pgstack asks for behind its back.
#pragma once

#include <span>

namespace pgstack::pg {

// Every such variable, once.
std::span<const char* const> LibpqVariables();

// Removes them from this process's environment, so that neither libpq nor a program pgstack runs
// (pg_ctl, psql, pgbench) takes a default from them. Call it before any other thread starts:
// unsetenv is not thread-safe.
void ClearLibpqEnvironment();

}  // namespace pgstack::pg
