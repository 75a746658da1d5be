// SCRAM-SHA-256 verifiers as PostgreSQL stores them (pg_authid.rolpassword) and PgBouncer reads
// them (userlist.txt): "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>".
#pragma once

#include <string>
#include <string_view>

namespace pgstack::core {

bool IsScramVerifier(std::string_view s);

// Whether password is the one the verifier was made from (recomputes StoredKey with the
// verifier's salt and iterations). Lets `up` keep an existing verifier, so the server and
// PgBouncer's userlist stay byte-identical across runs.
bool ScramVerifierMatches(std::string_view verifier, const std::string& password);

}  // namespace pgstack::core
