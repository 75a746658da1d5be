#include "pgstack/migrate/checksum.h"

#include "pgstack/core/sha256.h"

namespace pgstack::migrate {

std::string Checksum(std::string_view text) {
  core::Sha256 sha;
  // Feed runs of text between CRs, turning each CRLF or lone CR into one LF.
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\r') continue;
    sha.Update(text.substr(start, i - start));
    sha.Update("\n");
    if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    start = i + 1;
  }
  sha.Update(text.substr(start));
  return sha.HexDigest();
}

}  // namespace pgstack::migrate
