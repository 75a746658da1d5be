#include "pgstack/migrate/checksum.h"

#include <openssl/evp.h>

#include <memory>

namespace pgstack::migrate {
namespace {

// SHA-256 fed in pieces, read as lower-case hex. Shaped to move to core as it is: the stack's
// verifier memo hex-encodes a SHA-256 of its own (VerifierMemo::Digest), and one helper should
// serve both.
class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr);
  }
  void Update(std::string_view bytes) { EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size()); }
  std::string HexDigest() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_.get(), digest, &len);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(static_cast<size_t>(len) * 2);
    for (unsigned int i = 0; i < len; ++i) {
      out += kHex[digest[i] >> 4];
      out += kHex[digest[i] & 0xF];
    }
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

}  // namespace

std::string Checksum(std::string_view text) {
  Sha256 sha;
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
