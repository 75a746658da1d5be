// `pgstack migrate dump`: the declarative side of migrate (docs/migrations.md, "Declarative
// schema"), kept apart from cmd_migrate.cpp.
#include "cmd_migrate_schema.h"

#include <fmt/format.h>

#include "cmd_migrate_lint.h"
#include "pgstack/migrate/dump.h"
#include "pgstack/migrate/schema_source.h"

namespace pgstack::cli {
namespace {

// Where sources are read: the stack's server for scratch databases, and the directory.
Result<migrate::SourceOptions> SourceOptionsOf(Context& ctx, const DumpFlags& f,
                                               const std::string& dir, const std::string& format) {
  location::Endpoints where;
  PGSTACK_ASSIGN_OR_RETURN(migrate::Options o, InspectOptions(ctx, dir, format, "", &where));
  PGSTACK_ASSIGN_OR_RETURN(core::Environment env, ctx.LoadEnv());
  return migrate::SourceOptions{
      .scratch = ScratchOf(ctx, where, env),
      .dir = dir,
      .format = o.format,
      .flyway = o.flyway,
      .filter = {.schemas = f.schemas, .exclude_schemas = f.exclude_schemas}};
}

}  // namespace

int RunDump(Context& ctx, const MigrateFlags& flags, const migrate::Options&) {
  const DumpFlags& f = flags.dump;
  const std::string& dir = flags.dir;
  const std::string& format = flags.format;
  auto source = migrate::ParseSchemaSource("--from", f.from);
  if (!source.ok()) return ctx.out.Fail(source.status());
  auto o = SourceOptionsOf(ctx, f, dir, format);
  if (!o.ok()) return ctx.out.Fail(o.status());
  auto catalog = migrate::ReadSource(*source, *o);
  ctx.out.Progress("");
  if (!catalog.ok()) return ctx.out.Fail(catalog.status());
  if (f.out.empty()) {
    std::string sql = migrate::DumpSql(*catalog);
    ctx.out.Json({{"sql", sql}, {"objects", catalog->objects.size()}});
    if (!sql.empty() && sql.back() == '\n') sql.pop_back();
    ctx.out.Line(sql);
    return 0;
  }
  if (Status s = migrate::WriteDump(*catalog, f.out); !s.ok()) return ctx.out.Fail(s);
  ctx.out.Json({{"out", f.out}, {"objects", catalog->objects.size()}});
  ctx.out.Line(fmt::format("wrote {} object(s) of {} to {}", catalog->objects.size(),
                           migrate::Describe(*source, dir), f.out));
  return 0;
}

void AddDumpFlags(CLI::App& dump, MigrateFlags& flags) {
  DumpFlags& f = flags.dump;
  dump.add_option("--from", f.from,
                  "the schema: a postgres:// URL (only read), a .sql file or folder, or "
                  "`migrations` (every migration of --dir, replayed in a scratch database)")
      ->capture_default_str();
  dump.add_option("--out", f.out,
                  "a .sql file, or a folder of one file per schema (default: stdout)");
  dump.add_option("--schema", f.schemas, "only this schema (repeatable)");
  dump.add_option("--exclude-schema", f.exclude_schemas, "not this schema (repeatable)");
}

}  // namespace pgstack::cli
