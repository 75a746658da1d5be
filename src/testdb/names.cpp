#include "pgstack/testdb/names.h"

#include <fmt/format.h>

#include <charconv>

namespace pgstack::testdb {

Status ValidateHash(std::string_view hash) {
  std::string_view shown = hash.substr(0, kMaxHashLength);
  if (hash.empty()) return Status::InvalidInput("hash is required (1 to 40 of A-Z a-z 0-9 _ -)");
  if (hash.size() > kMaxHashLength) {
    return Status::InvalidInput(
        fmt::format("hash {}...: {} characters, at most {} fit into a database name", shown,
                    hash.size(), kMaxHashLength));
  }
  for (char c : hash) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) {
      return Status::InvalidInput(fmt::format(
          "hash \"{}\": only A-Z a-z 0-9 _ - can go into a database name", std::string(shown)));
    }
  }
  return Status::Ok();
}

std::string TemplateDatabaseName(std::string_view hash) {
  return std::string(kTemplatePrefix) + std::string(hash);
}

std::string TestDatabaseStem(std::string_view hash) {
  return std::string(kTestPrefix) + std::string(hash) + "_";
}

std::string TemplateComment(std::string_view hash) {
  return fmt::format("{} template {}", kCommentPrefix, hash);
}

std::string TestComment(std::string_view hash) {
  return fmt::format("{} test database of template {}", kCommentPrefix, hash);
}

std::optional<int64_t> ParseTestId(std::string_view text) {
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

}  // namespace pgstack::testdb
