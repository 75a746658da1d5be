// Flyway's placeholders, substituted as Flyway does (read in its PlaceholderReplacingReader and
// ParsingContext): "${name}" anywhere in a script (comments and strings included) becomes the
// value; names match without regard to case; an empty value removes the placeholder; a name with
// no value is an error. Built-ins: ${flyway:defaultSchema}, ${flyway:user}, ${flyway:database},
// ${flyway:timestamp} ("yyyy-MM-dd HH:mm:ss", local time, when read), ${flyway:filename},
// ${flyway:workingDirectory}, ${flyway:table}, ${flyway:environment}. A script whose
// "<file>.conf" says placeholderReplacement=false is left as it is. The checksum is of the file
// as written, before substitution (Flyway's is too), so a changed value is no edit.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgstack/core/status.h"

namespace pgstack::migrate {

struct FlywayPlaceholders {
  std::map<std::string, std::string> values;  // name lower-cased ("flyway:user") -> value
};

// What the built-ins stand for where pgstack runs: the connection's user and database, the
// config environment's name. Flyway's defaults for the rest: the schema is "public" (a fresh
// PostgreSQL session's current schema) and the table "flyway_schema_history".
struct FlywayContext {
  std::string user;
  std::string database;
  std::string environment = "default";
  std::string default_schema = "public";
  std::string table = "flyway_schema_history";
};

// The placeholders Flyway would see: `configured` (the config's migrate.flyway_placeholders),
// then the FLYWAY_PLACEHOLDERS_<NAME>=value entries of `environment` ("NAME=value" strings, the
// process's when nullopt) over them, NAME lower-cased as Flyway does, then the built-ins. The
// built-ins a context leaves empty (user, database) are left undefined: a script using one fails.
FlywayPlaceholders MakeFlywayPlaceholders(
    const std::map<std::string, std::string>& configured, const FlywayContext& context,
    const std::optional<std::vector<std::string>>& environment = std::nullopt);

// The text with every ${name} replaced; ${flyway:filename} is path's last component. An
// undefined or unterminated placeholder is kInvalidInput naming path:line:column.
Result<std::string> SubstituteFlywayPlaceholders(const std::string& path, std::string_view text,
                                                 const FlywayPlaceholders& placeholders);

}  // namespace pgstack::migrate
