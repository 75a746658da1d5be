// What `pgstack --version` names: the release and the git revision it was built from
// (written at build time by cmake/version.cmake).
#pragma once

namespace pgstack::cli {

extern const char* const kVersion;
extern const char* const kRevision;  // "1a2b3c4d5e", "...-dirty", or "unknown" outside git

}  // namespace pgstack::cli
