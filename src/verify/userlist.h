// Reading PgBouncer's auth_file (userlist.txt): lines of "user" "secret", a doubled quote
// standing for one inside a field; anything else (comments, blank lines) is ignored.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pgstack::verify {

// The secret of `user` in userlist text, or nullopt when it has no entry.
std::optional<std::string> UserlistSecret(std::string_view text, std::string_view user);

}  // namespace pgstack::verify
