#include "pgstack/migrate/schema_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "pgstack/core/interrupt.h"
#include "pgstack/migrate/source.h"
#include "pgstack/pg/conn_params.h"
#include "readers.h"
#include "scratch_db.h"

namespace pgstack::migrate {
namespace {

namespace fs = std::filesystem;

bool IsUrl(std::string_view t) {
  return t.starts_with("postgres://") || t.starts_with("postgresql://");
}

bool EndsWithSql(const std::string& name) { return name.ends_with(".sql"); }

// The .sql files of a folder, in file-name order (byte order, as `ls` in the C locale).
Result<std::vector<std::string>> SqlFilesOf(const std::string& folder) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(folder, ec)) {
    if (e.is_regular_file() && EndsWithSql(e.path().filename().string())) {
      out.push_back(e.path().string());
    }
  }
  if (ec) return Status::InvalidInput(folder + ": cannot read the folder: " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

// Runs one DDL file in conn, as a migration of one file would run (a transaction unless a
// statement cannot run in one). Any error is the file's: kInvalidInput at file:line:column.
Status LoadSqlFile(pg::Connection& conn, const std::string& path) {
  PGSTACK_ASSIGN_OR_RETURN(std::string text, internal::ReadWholeFile(path));
  PGSTACK_ASSIGN_OR_RETURN(text, internal::CheckedFileText(path, std::move(text)));
  Migration m;
  m.name = path;
  PGSTACK_ASSIGN_OR_RETURN(m.up, internal::MakeSqlText(path, std::move(text), 1));
  Status s = internal::RunUpSql(conn, m);
  return s.ok() || core::IsInterruption(s) ? s : s.WithCode(Code::kInvalidInput);
}

Status LoadMigrations(pg::Connection& conn, const SourceOptions& o) {
  PGSTACK_ASSIGN_OR_RETURN(MigrationSet set,
                           ReadMigrations(o.dir, o.format, o.flyway ? &*o.flyway : nullptr));
  for (const Migration& m : set.migrations) {
    if (m.unwritten) continue;
    if (o.scratch.on_event) o.scratch.on_event("replaying " + m.key() + " " + m.name);
    Status s = internal::RunUpSql(conn, m);
    if (!s.ok()) return core::IsInterruption(s) ? s : s.WithCode(Code::kInvalidInput);
  }
  return Status::Ok();
}

// A scratch database loaded with the source, its catalog read, then dropped.
Result<Catalog> ReadThroughScratch(const SchemaSource& s, const SourceOptions& o) {
  PGSTACK_ASSIGN_OR_RETURN(internal::ScratchDb scratch,
                           internal::ScratchDb::Create(o.scratch, "template0"));
  Result<Catalog> out = [&]() -> Result<Catalog> {
    PGSTACK_ASSIGN_OR_RETURN(pg::Connection conn, scratch.Connect());
    // The source's own notices ("already exists, skipping") are not pgstack's to show.
    PGSTACK_RETURN_IF_ERROR(conn.Run("SET client_min_messages = warning"));
    PGSTACK_RETURN_IF_ERROR(internal::CreateExtensions(conn, o.scratch.extensions));
    if (s.kind == SchemaSource::Kind::kMigrations) {
      PGSTACK_RETURN_IF_ERROR(LoadMigrations(conn, o));
    } else {
      std::vector<std::string> files{s.text};
      if (s.kind == SchemaSource::Kind::kSqlFolder) {
        PGSTACK_ASSIGN_OR_RETURN(files, SqlFilesOf(s.text));
      }
      for (const std::string& f : files) PGSTACK_RETURN_IF_ERROR(LoadSqlFile(conn, f));
    }
    return ReadCatalog(conn, o.filter);
  }();
  Status dropped = scratch.Drop();
  if (out.ok() && !dropped.ok()) return dropped;
  return out;
}

}  // namespace

Result<SchemaSource> ParseSchemaSource(const std::string& flag, const std::string& text) {
  if (text == "migrations") return SchemaSource{SchemaSource::Kind::kMigrations, text};
  if (IsUrl(text)) return SchemaSource{SchemaSource::Kind::kUrl, text};
  std::error_code ec;
  if (fs::is_directory(text, ec)) return SchemaSource{SchemaSource::Kind::kSqlFolder, text};
  if (fs::is_regular_file(text, ec) && EndsWithSql(text)) {
    return SchemaSource{SchemaSource::Kind::kSqlFile, text};
  }
  if (!fs::exists(text, ec) && text.find("://") == std::string::npos) {
    return Status::InvalidInput(fmt::format("{} {}: no such file or folder", flag, text));
  }
  return Status::InvalidInput(
      fmt::format("{}: not a postgres:// URL, a .sql file, a folder of .sql files or "
                  "`migrations`",
                  flag));
}

std::string Describe(const SchemaSource& s, const std::string& dir) {
  switch (s.kind) {
    case SchemaSource::Kind::kMigrations:
      return "the migrations of " + dir;
    case SchemaSource::Kind::kUrl: {
      auto p = pg::ParseConnString(s.text, {});
      return p.ok() ? pg::ToUrl(*p, pg::Redact::kYes) : "the database URL";
    }
    default:
      return s.text;
  }
}

Result<Catalog> ReadSource(const SchemaSource& s, const SourceOptions& o) {
  if (s.kind != SchemaSource::Kind::kUrl) return ReadThroughScratch(s, o);
  PGSTACK_ASSIGN_OR_RETURN(pg::ConnParams p, pg::ParseConnString(s.text, {}));
  PGSTACK_ASSIGN_OR_RETURN(pg::Connection conn, pg::Connection::Open(p));
  return ReadCatalog(conn, o.filter);
}

}  // namespace pgstack::migrate
