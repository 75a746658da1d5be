// The checksum that tells whether an applied migration's file was edited since.
#pragma once

#include <string>
#include <string_view>

namespace pgstack::migrate {

// Lower-case hex SHA-256 of text with line endings normalised (CRLF and lone CR become LF), so
// a checkout on Windows does not look like an edit.
std::string Checksum(std::string_view text);

}  // namespace pgstack::migrate
