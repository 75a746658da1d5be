#include "no_space.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

namespace pgstack::stack {

namespace {

constexpr std::string_view kLead = "no space left on device (ENOSPC) for ";

}  // namespace

bool IsNoSpace(const Status& s) {
  if (s.ok()) return false;
  const std::string& m = s.message();
  // strerror's text in this process's locale, and the C locale's, which PostgreSQL's programs use
  // when they run without LANG.
  const std::string texts[] = {std::strerror(ENOSPC), std::strerror(EDQUOT),
                               "No space left on device", "Disk quota exceeded"};
  for (const auto& text : texts)
    if (m.find(text) != std::string::npos) return true;
  return false;
}

Status NoSpaceError(const Status& s, const std::string& what) {
  return Status::Failure(
             fmt::format(
                 "{}{}: free some space there, then run "
                 "`pgstack up` again, or remove the stack with `pgstack destroy --yes` ({})",
                 kLead, what, s.message()))
      .Because(kNoSpace);
}

}  // namespace pgstack::stack
