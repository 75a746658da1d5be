// What a cache entry's cluster held when it was cached, so that an `up` notices a damaged entry
// (a truncated or deleted file, a changed pg_control) before it copies it: a server started on
// it would stop with a PANIC that names no cache. The manifest lists every regular file with its
// size, and the SHA-256 of global/pg_control (8 KiB; the file without which nothing starts).
// Checking it is a stat per file (about a thousand) and one small read: a few milliseconds of a
// cold `up`, where hashing the whole cluster (some 40 MB) would cost far more.
#pragma once

#include <string>

#include "pgstack/core/status.h"

namespace pgstack::stack {

// The manifest of the cluster in data_dir, as text.
Result<std::string> MakeManifest(const std::string& data_dir);

// Ok when data_dir's files are those of the manifest, with the same sizes (a file beyond it is
// allowed); else kFailure naming the first file that differs and how.
Status CheckManifest(const std::string& data_dir, const std::string& manifest);

}  // namespace pgstack::stack
