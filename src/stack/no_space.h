// A full disk, told apart from the other ways writing a cluster fails: initdb, the cache copy and
// the server report ENOSPC only as text (initdb's bootstrap prints strerror, then only that it
// cleans up), so the text is where it is found.
#pragma once

#include <string>

#include "pgstack/core/status.h"

namespace pgstack::stack {

// True when `s` is an error caused by ENOSPC (or EDQUOT, a quota that is as full).
bool IsNoSpace(const Status& s);

// `s` (an ENOSPC error) as one line that names ENOSPC, what was being written (`what`, "initdb's
// new cluster in /x/data") and what to do; `s` itself follows for the detail.
Status NoSpaceError(const Status& s, const std::string& what);
// The cause of what NoSpaceError made (so that a caller further up does not wrap it twice).
inline constexpr core::Cause kNoSpace{"no space"};

}  // namespace pgstack::stack
