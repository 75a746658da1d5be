// Where a schema for `migrate dump` and `migrate diff` comes from, and reading it as a Catalog:
//  - a postgres:// or postgresql:// URL: that database, only read (a read-only transaction);
//  - a .sql file, or a folder of .sql files run in file-name order: plain DDL, loaded into a
//    scratch database so that PostgreSQL itself parses it;
//  - "migrations": the schema that every migration of a directory builds, applied or not,
//    replayed in a scratch database.
// A scratch database starts from template0 with the stack's configured extensions, is loaded by
// the superuser and is always dropped (one left behind by a killed run is dropped by the next).
#pragma once

#include <string>

#include "pgstack/core/status.h"
#include "pgstack/migrate/catalog.h"
#include "pgstack/migrate/flyway_placeholders.h"
#include "pgstack/migrate/migration.h"
#include "pgstack/migrate/trace.h"

namespace pgstack::migrate {

struct SchemaSource {
  enum class Kind { kUrl, kSqlFile, kSqlFolder, kMigrations };
  Kind kind = Kind::kMigrations;
  std::string text;  // as given (a URL is a secret: never print it, see Describe)
};

// kInvalidInput naming `flag` when text is none of the above (a path that does not exist, or a
// file whose name does not end in .sql).
Result<SchemaSource> ParseSchemaSource(const std::string& flag, const std::string& text);

// For messages: the path, "the migrations of DIR", or the URL without its password.
std::string Describe(const SchemaSource& s, const std::string& dir);

struct SourceOptions {
  ScratchOptions scratch;  // the server for scratch databases, and the configured extensions
  std::string dir;         // the migrations directory (Kind::kMigrations)
  std::optional<Format> format;
  std::optional<FlywayPlaceholders> flyway;  // what Flyway placeholders stand for
  CatalogFilter filter;
};

// Reads the source's schema. A .sql file that fails to load is kInvalidInput
// "file:line:column: message" (the server's error position); so is a migration that fails.
Result<Catalog> ReadSource(const SchemaSource& s, const SourceOptions& o);

}  // namespace pgstack::migrate
