// What testdb calls things in PostgreSQL. Every database it makes has a recognisable name
// (a prefix, then the template hash) and a comment, and testdb only ever drops a database that
// has both or that its catalog lists: nothing else on the server is at risk.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pgstack/core/status.h"

namespace pgstack::testdb {

inline constexpr std::string_view kTemplatePrefix = "pgstack_tpl_";
inline constexpr std::string_view kTestPrefix = "pgstack_tdb_";
// The comment on every database testdb makes starts with this.
inline constexpr std::string_view kCommentPrefix = "pgstack testdb";
// Database names are at most 63 bytes: prefix (12) + hash + "_" + id (up to 10 digits).
inline constexpr size_t kMaxHashLength = 40;
inline constexpr int64_t kMaxTestId = 9'999'999'999;

// OK when hash can name a template: 1..40 characters of [A-Za-z0-9_-]. The error (kInvalidInput)
// says why, quoting at most the first 40 characters.
Status ValidateHash(std::string_view hash);

std::string TemplateDatabaseName(std::string_view hash);
// The common start of the names of a template's test databases; the id follows (the catalog's
// INSERT appends it, as the sequence hands it out).
std::string TestDatabaseStem(std::string_view hash);
std::string TemplateComment(std::string_view hash);
std::string TestComment(std::string_view hash);

// A test database id as a URL or command line gives it: optional sign, then decimal digits,
// within int64. nullopt for anything else ("abc", "", "1x").
std::optional<int64_t> ParseTestId(std::string_view text);

}  // namespace pgstack::testdb
