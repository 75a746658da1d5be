#include "pgstack/migrate/dump.h"

#include <fmt/format.h>

#include <filesystem>
#include <set>
#include <unordered_map>

#include "pgstack/core/files.h"
#include "pgstack/core/interrupt.h"

namespace pgstack::migrate {
namespace {

namespace fs = std::filesystem;

// Function bodies are checked when they run, not when they load: a LANGUAGE sql body may name a
// table that comes later (pg_dump does the same).
constexpr std::string_view kHeader =
    "-- Written by pgstack migrate dump: the schema as DDL, in dependency order, without data.\n"
    "SET check_function_bodies = false;\n";

std::string Script(const std::vector<const CatalogObject*>& objects) {
  std::string out(kHeader);
  for (const CatalogObject* o : objects) {
    out += "\n";
    out += o->ddl;
    out += "\n";
  }
  return out;
}

std::string FileSafe(std::string name) {
  for (char& ch : name) {
    if (ch == '/' || ch == '\0') ch = '_';
  }
  if (name.empty() || name.front() == '.') name.insert(name.begin(), '_');
  return name;
}

bool WrittenByDump(const std::string& name) {
  size_t dash = name.find('-');
  if (dash == 0 || dash == std::string::npos || !name.ends_with(".sql")) return false;
  return name.find_first_not_of("0123456789") == dash;
}

// Whether a .sql file in the target folder that is not ours stands in the way.
Status CheckFolder(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return Status::Ok();
  if (!fs::is_directory(path, ec)) {
    return Status::InvalidInput(
        fmt::format("--out {}: not a folder (a path ending in .sql writes one file)", path));
  }
  for (const fs::directory_entry& e : fs::directory_iterator(path, ec)) {
    std::string name = e.path().filename().string();
    if (name.ends_with(".sql") && !WrittenByDump(name)) {
      return Status::InvalidInput(fmt::format(
          "--out {}: holds {}, which migrate dump did not write (it would be read with the "
          "dump): choose an empty folder",
          path, name));
    }
  }
  return ec ? Status::Failure(fmt::format("--out {}: {}", path, ec.message())) : Status::Ok();
}

}  // namespace

std::string DumpSql(const Catalog& c) {
  std::vector<const CatalogObject*> all;
  all.reserve(c.objects.size());
  for (const CatalogObject& o : c.objects) all.push_back(&o);
  return Script(all);
}

namespace {

// The schemas in file order: one whose objects need another's comes after it, as far as their
// needs do not go both ways; otherwise in the order of their first object.
std::vector<std::string> SchemaFileOrder(const Catalog& c) {
  std::unordered_map<std::string, std::string> schema_of_node;
  std::map<std::string, std::set<std::string>> needs;
  std::vector<std::string> first_seen;
  for (const CatalogObject& o : c.objects) {
    schema_of_node[o.node] = o.schema;
    if (needs.emplace(o.schema, std::set<std::string>{}).second) first_seen.push_back(o.schema);
  }
  for (const CatalogObject& o : c.objects) {
    for (const std::string& a : o.after) {
      auto it = schema_of_node.find(a);
      if (it != schema_of_node.end() && it->second != o.schema) needs[o.schema].insert(it->second);
    }
  }
  std::vector<CatalogObject> schemas;
  for (size_t i = 0; i < first_seen.size(); ++i) {
    const auto& n = needs[first_seen[i]];
    schemas.push_back({.kind = ObjectKind::kSchema,
                       .node = first_seen[i],
                       .schema = fmt::format("{:08}", i),
                       .identity = first_seen[i],
                       .ddl = "",
                       .after = {n.begin(), n.end()}});
  }
  OrderObjects(schemas);
  std::vector<std::string> out;
  for (const CatalogObject& s : schemas) out.push_back(s.node);
  return out;
}

}  // namespace

std::map<std::string, std::string> DumpFiles(const Catalog& c) {
  std::vector<std::string> schemas = SchemaFileOrder(c);
  std::unordered_map<std::string, size_t> file_of_schema;
  for (size_t i = 0; i < schemas.size(); ++i) file_of_schema[schemas[i]] = i;
  const size_t cross = schemas.size();
  std::vector<std::vector<const CatalogObject*>> files(cross + 1);
  std::unordered_map<std::string, size_t> file_of_node;
  for (const CatalogObject& o : c.objects) {
    size_t file = file_of_schema[o.schema];
    for (const std::string& a : o.after) {
      auto it = file_of_node.find(a);
      if (it != file_of_node.end() && it->second > file) file = cross;
    }
    file_of_node[o.node] = file;
    files[file].push_back(&o);
  }
  std::map<std::string, std::string> out;
  int width = std::max(2, static_cast<int>(fmt::formatted_size("{}", cross + 1)));
  for (size_t i = 0; i <= cross; ++i) {
    if (files[i].empty()) continue;
    std::string name = i == cross ? "cross-schema" : FileSafe(schemas[i]);
    out[fmt::format("{:0{}}-{}.sql", i + 1, width, name)] = Script(files[i]);
  }
  return out;
}

Status WriteDump(const Catalog& c, const std::string& path) {
  // A signal that came during the read must not be followed by the write.
  PGSTACK_RETURN_IF_ERROR(core::CheckInterrupt("--out " + path + " not written"));
  if (path.ends_with(".sql")) return core::WriteFileAtomic(path, DumpSql(c), 0644);
  PGSTACK_RETURN_IF_ERROR(CheckFolder(path));
  PGSTACK_RETURN_IF_ERROR(core::MakeDirs(path, 0755));
  std::map<std::string, std::string> files = DumpFiles(c);
  for (const auto& [name, text] : files) {
    PGSTACK_RETURN_IF_ERROR(core::WriteFileAtomic(path + "/" + name, text, 0644));
  }
  // A schema dropped since the last dump into this folder must not come back from its file.
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(path, ec)) {
    std::string name = e.path().filename().string();
    if (WrittenByDump(name) && !files.count(name)) fs::remove(e.path(), ec);
  }
  return ec ? Status::Failure(fmt::format("--out {}: {}", path, ec.message())) : Status::Ok();
}

}  // namespace pgstack::migrate
