// A SQL string literal made without a connection, for SQL that is planned and shown before it
// runs (a dry run prints it). Connection::QuoteLiteral is the one to use with a connection.
#pragma once

#include <string>
#include <string_view>

namespace pgstack::pg {

// 'text' with ' doubled; E'...' with \ doubled too when the text has a backslash, so that the
// server reads exactly `text` whatever standard_conforming_strings is.
std::string SqlLiteral(std::string_view text);

// "name" with " doubled: an identifier, quoted as Connection::QuoteIdent would.
std::string SqlIdent(std::string_view name);

}  // namespace pgstack::pg
