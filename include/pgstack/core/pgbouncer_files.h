// PgBouncer's file formats, read and written: the userlist (`"user" "secret"` lines, a doubled
// quote standing for one) and the key = value pairs of an ini's [pgbouncer] section. Pure text,
// so that verify can read what the stack layer writes.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace pgstack::core {

std::string RenderUserlist(const std::string& user, const std::string& verifier);
// The inverse, for one line: its first two double-quoted fields (user, secret), or nullopt for
// anything else (a comment, a blank or broken line).
std::optional<std::pair<std::string, std::string>> ParseUserlistLine(std::string_view line);
// The secret of `user` in a whole userlist's text (its first entry), or nullopt when it has none.
std::optional<std::string> UserlistSecret(std::string_view userlist, std::string_view user);

// key = value pairs of an ini's [pgbouncer] section (comments and other sections skipped).
std::map<std::string, std::string> ParsePgBouncerIni(const std::string& text);

}  // namespace pgstack::core
