#include "pgstack/migrate/checksum.h"

#include <openssl/evp.h>

#include <memory>

namespace pgstack::migrate {

std::string Checksum(std::string_view text) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  // Feed runs of text between CRs, turning each CRLF or lone CR into one LF.
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\r') continue;
    EVP_DigestUpdate(ctx.get(), text.data() + start, i - start);
    EVP_DigestUpdate(ctx.get(), "\n", 1);
    if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    start = i + 1;
  }
  EVP_DigestUpdate(ctx.get(), text.data() + start, text.size() - start);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(static_cast<size_t>(len) * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xF];
  }
  return out;
}

}  // namespace pgstack::migrate
