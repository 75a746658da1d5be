#include "verifier_memo.h"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include "pgstack/core/files.h"
#include "pgstack/core/sha256.h"

namespace pgstack::stack {

std::string VerifierMemo::PathIn(const location::StatePaths& paths) {
  return paths.credentials + ".verified";
}

std::string VerifierMemo::Digest(std::string_view verifier, std::string_view password) {
  std::string input = "pgstack verifier memo 1\n";
  for (std::string_view part : {password, verifier})
    input += fmt::format("{}:", part.size()) + std::string(part);
  std::string hex = core::Sha256Hex(input);
  OPENSSL_cleanse(input.data(), input.size());
  return hex;
}

bool VerifierMemo::Vouches(std::string_view verifier, std::string_view password) const {
  if (path_.empty()) return false;
  auto text = core::ReadFileIfExists(path_);
  if (!text.ok() || !*text) return false;
  std::string digest = Digest(verifier, password);
  if (digest.empty()) return false;
  std::string want = digest + "\n";
  return (*text)->size() == want.size() &&
         CRYPTO_memcmp((*text)->data(), want.data(), want.size()) == 0;
}

Status VerifierMemo::Remember(std::string_view verifier, std::string_view password) const {
  if (path_.empty()) return Status::Ok();
  std::string digest = Digest(verifier, password);
  if (digest.empty()) return Status::Failure(path_ + ": cannot compute SHA-256");
  return core::WriteFileAtomic(path_, digest + "\n", 0600);
}

}  // namespace pgstack::stack
