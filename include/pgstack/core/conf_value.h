// A value as postgresql.conf takes it. Quoting is valid for every setting's type, and inside
// quotes the server's config lexer reads '' and backslash escapes, so both are escaped here.
#pragma once

#include <string>
#include <string_view>

namespace pgstack::core {

// 'value', with ' doubled and \ doubled: read back by the server as exactly `value`.
std::string QuoteConfValue(std::string_view value);
// One element of a list setting (unix_socket_directories): the server splits the value at commas
// and trims blanks, unless the element is in double quotes (with "" for a quote inside). Put the
// result through QuoteConfValue for the file.
std::string QuoteConfListElement(std::string_view element);

}  // namespace pgstack::core
