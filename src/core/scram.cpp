#include "pgstack/core/scram.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace pgstack::core {
namespace {

struct Parts {
  int iterations = 0;
  std::string salt_b64, stored_b64, server_b64;
};

bool Split(std::string_view s, Parts* p) {
  constexpr std::string_view kPrefix = "SCRAM-SHA-256$";
  if (s.substr(0, kPrefix.size()) != kPrefix) return false;
  s.remove_prefix(kPrefix.size());
  auto colon = s.find(':'), dollar = s.find('$'), colon2 = s.rfind(':');
  if (colon == std::string_view::npos || dollar == std::string_view::npos || dollar < colon ||
      colon2 <= dollar)
    return false;
  p->iterations = std::atoi(std::string(s.substr(0, colon)).c_str());
  p->salt_b64 = s.substr(colon + 1, dollar - colon - 1);
  p->stored_b64 = s.substr(dollar + 1, colon2 - dollar - 1);
  p->server_b64 = s.substr(colon2 + 1);
  return p->iterations > 0 && !p->salt_b64.empty() && p->stored_b64.size() == 44 &&
         p->server_b64.size() == 44;
}

std::vector<unsigned char> DecodeBase64(const std::string& in) {
  std::vector<unsigned char> out(in.size());
  int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  if (n < 0) return {};
  // EVP_DecodeBlock counts the bytes that padding stands for; drop them.
  size_t pad = 0;
  for (auto it = in.rbegin(); it != in.rend() && *it == '='; ++it) ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

std::string EncodeBase64(const unsigned char* data, size_t len) {
  std::string out(4 * ((len + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(len));
  return out;
}

}  // namespace

bool IsScramVerifier(std::string_view s) {
  Parts p;
  return Split(s, &p);
}

bool ScramVerifierMatches(std::string_view verifier, const std::string& password) {
  Parts p;
  if (!Split(verifier, &p)) return false;
  std::vector<unsigned char> salt = DecodeBase64(p.salt_b64);
  if (salt.empty()) return false;
  unsigned char salted[SHA256_DIGEST_LENGTH];
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(),
                        static_cast<int>(salt.size()), p.iterations, EVP_sha256(), sizeof salted,
                        salted) != 1)
    return false;
  unsigned char client_key[SHA256_DIGEST_LENGTH];
  unsigned int len = 0;
  static constexpr char kClientKey[] = "Client Key";
  HMAC(EVP_sha256(), salted, sizeof salted, reinterpret_cast<const unsigned char*>(kClientKey),
       sizeof kClientKey - 1, client_key, &len);
  unsigned char stored[SHA256_DIGEST_LENGTH];
  SHA256(client_key, sizeof client_key, stored);
  return EncodeBase64(stored, sizeof stored) == p.stored_b64;
}

}  // namespace pgstack::core
