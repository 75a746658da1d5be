// What spares a warm `up` its PBKDF2: a note, kept beside credentials.json, that the role's
// SCRAM verifier was last seen to match the kept password. Checking a verifier against a password
// costs 4096 HMAC rounds (~4 ms, most of a warm `up`'s CPU); checking the note costs one SHA-256.
//
// The note is a SHA-256 over the password and the verifier, so it vouches for that exact pair and
// nothing else: a new password, or a verifier someone else set on the server, finds no match and
// is checked the slow way. It is only kept for a password pgstack keeps in credentials.json itself
// (0600, same directory): a fast digest of a password held nowhere else on disk would make that
// password cheaper to guess than the verifier does.
#pragma once

#include <string>
#include <string_view>

#include "pgstack/core/status.h"
#include "pgstack/location/state_paths.h"

namespace pgstack::stack {

class VerifierMemo {
 public:
  // An empty path: a memo that vouches for nothing and remembers nothing.
  explicit VerifierMemo(std::string path) : path_(std::move(path)) {}

  // Where a stack keeps it: named after credentials.json, so that the state dir knows it as its
  // own and `destroy` removes it with the secrets, first.
  static std::string PathIn(const location::StatePaths& paths);

  // Whether the memo says `verifier` was made from `password`.
  bool Vouches(std::string_view verifier, std::string_view password) const;

  // Notes that `verifier` was made from `password`; the caller knows it (it checked, or it made
  // the verifier).
  Status Remember(std::string_view verifier, std::string_view password) const;

  // The note's text for this pair: lowercase hex of SHA-256 over a label, the password and the
  // verifier (each length-prefixed, so that no two pairs give the same input).
  static std::string Digest(std::string_view verifier, std::string_view password);

 private:
  std::string path_;
};

}  // namespace pgstack::stack
