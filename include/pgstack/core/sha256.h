// SHA-256 as pgstack writes it everywhere: lower-case hex. One place for the OpenSSL calls and
// the hex encoding that migration checksums and the verifier memo both need.
#pragma once

#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace pgstack::core {

// A digest fed in pieces (migration checksums feed the text between line endings).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view bytes);
  // The digest of everything fed so far as 64 lower-case hex digits; empty if OpenSSL failed.
  std::string HexDigest();

 private:
  struct Free {
    void operator()(evp_md_ctx_st* ctx) const;
  };
  std::unique_ptr<evp_md_ctx_st, Free> ctx_;
};

// The hex digest of one string.
std::string Sha256Hex(std::string_view bytes);

}  // namespace pgstack::core
