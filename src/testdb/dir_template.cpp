#include "pgstack/testdb/dir_template.h"

#include <fmt/format.h>

#include <filesystem>

#include "pgstack/core/files.h"
#include "pgstack/migrate/checksum.h"
#include "pgstack/migrate/runner.h"
#include "pgstack/migrate/source.h"

namespace pgstack::testdb {
namespace {

// Bumped whenever the way a template is built from its inputs changes.
constexpr const char* kRecipe = "pgstack-testdb-template-1";

Result<std::string> ReadFixture(const std::string& path) {
  PGSTACK_ASSIGN_OR_RETURN(std::optional<std::string> text, core::ReadFileIfExists(path));
  if (!text) return Status::InvalidInput(path + ": fixture file not found");
  return *text;
}

// "file:line:column" of a 1-based character position in text.
std::string Where(const std::string& path, const std::string& text, int position) {
  int line = 1, column = 1;
  for (int i = 0; i + 1 < position && i < static_cast<int>(text.size()); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return fmt::format("{}:{}:{}", path, line, column);
}

Status Apply(Service& service, const DirTemplate& t, const Build& b) {
  migrate::Options mo;
  mo.dir = t.dir;
  mo.format = t.format;
  mo.history = t.history;
  mo.conn = service.ConnFor(b.database());
  mo.conn.application_name = "pgstack testdb template";
  auto up = migrate::Up(mo);
  if (!up.ok()) return up.status();
  if (t.fixtures.empty()) return Status::Ok();
  PGSTACK_ASSIGN_OR_RETURN(pg::Connection c, pg::Connection::Open(mo.conn));
  for (const std::string& f : t.fixtures) {
    PGSTACK_ASSIGN_OR_RETURN(std::string sql, ReadFixture(f));
    Status s = c.Run(sql);
    if (!s.ok())
      return Status::Failure(fmt::format("{}: {}", Where(f, sql, s.position()), s.message()));
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> HashOfDir(const DirTemplate& t) {
  PGSTACK_ASSIGN_OR_RETURN(migrate::MigrationSet set, migrate::ReadMigrations(t.dir, t.format));
  std::string recipe = fmt::format("{}\nformat {}\n", kRecipe, migrate::FormatName(set.format));
  // Only a named one: the templates of directories with the default history keep their hashes.
  if (t.history != migrate::kDefaultHistory) recipe += fmt::format("history {}\n", t.history);
  for (const migrate::Migration& m : set.migrations) {
    recipe += fmt::format("migration {} {}\n", m.key(), m.checksum);
  }
  for (const std::string& f : t.fixtures) {
    PGSTACK_ASSIGN_OR_RETURN(std::string sql, ReadFixture(f));
    recipe += fmt::format("fixture {} {}\n", std::filesystem::path(f).filename().string(),
                          migrate::Checksum(sql));
  }
  return migrate::Checksum(recipe).substr(0, 32);
}

Result<std::string> EnsureDirTemplate(Service& service, const DirTemplate& t) {
  PGSTACK_ASSIGN_OR_RETURN(std::string hash, HashOfDir(t));
  Templates& reg = service.templates();
  PGSTACK_ASSIGN_OR_RETURN(std::optional<Build> b,
                           reg.BeginBuild(hash, service.options().build_wait_ms));
  if (!b) return hash;
  Status s = Apply(service, t, *b);
  if (!s.ok()) {
    (void)reg.Abort(*b, false);
    return s.WithContext("building template " + hash);
  }
  s = reg.Finish(*b);
  if (!s.ok()) {
    (void)reg.Abort(*b, false);
    return s;
  }
  (void)reg.EvictOverCap();
  return hash;
}

}  // namespace pgstack::testdb
