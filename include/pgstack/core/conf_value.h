// A value as postgresql.conf takes it. Quoting is valid for every setting's type, and inside
// quotes the server's config lexer reads '' and backslash escapes, so both are escaped here.
#pragma once

#include <string>
#include <string_view>

namespace pgstack::core {

// 'value', with ' doubled and \ doubled: read back by the server as exactly `value`.
std::string QuoteConfValue(std::string_view value);

}  // namespace pgstack::core
