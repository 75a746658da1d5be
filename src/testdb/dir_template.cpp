#include "pgstack/testdb/dir_template.h"

#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>

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

std::string Absolute(const std::string& path) {
  std::error_code ec;
  std::filesystem::path abs =
      std::filesystem::weakly_canonical(std::filesystem::absolute(path), ec);
  return ec ? path : abs.string();
}

// The flags a template was built with, as its catalog row keeps them (Templates::SetSource).
nlohmann::json SourceOf(const DirTemplate& t) {
  nlohmann::json fixtures = nlohmann::json::array();
  for (const std::string& f : t.fixtures) fixtures.push_back(Absolute(f));
  return {{"format", t.format ? std::string(migrate::FormatName(*t.format)) : ""},
          {"fixtures", fixtures}};
}

// "--fixtures a.sql (template) vs none (this get)" for each flag that differs; "" when none does.
std::string FlagDifferences(const nlohmann::json& built, const nlohmann::json& asked) {
  auto shown = [](const nlohmann::json& v) {
    std::string out;
    for (const auto& e : v.is_array() ? v : nlohmann::json::array({v})) {
      std::string one = e.is_string() ? e.get<std::string>() : e.dump();
      if (!one.empty()) out += (out.empty() ? "" : " ") + one;
    }
    return out.empty() ? std::string("none") : out;
  };
  std::string out;
  for (const char* flag : {"format", "fixtures"}) {
    nlohmann::json b = built.value(flag, nlohmann::json()), a = asked.value(flag, nlohmann::json());
    if (shown(b) == shown(a)) continue;
    out += fmt::format("{}--{} {} (template) vs {} (this get)", out.empty() ? "" : "; ", flag,
                       shown(b), shown(a));
  }
  return out;
}

Status Apply(Service& service, const DirTemplate& t, const Build& b) {
  migrate::Options mo;
  mo.dir = t.dir;
  mo.format = t.format;
  mo.history = t.history;
  mo.conn = service.ConnFor(b);
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
  if (s.ok()) s = reg.SetSource(*b, Absolute(t.dir), SourceOf(t).dump());
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

Result<std::string> TemplateForGet(Service& service, const DirTemplate& t) {
  PGSTACK_ASSIGN_OR_RETURN(std::string hash, HashOfDir(t));
  auto state = service.templates().State(hash);
  if (state.ok() && *state == TemplateState::kReady) return hash;
  PGSTACK_ASSIGN_OR_RETURN(std::optional<Templates::Sourced> latest,
                           service.templates().LatestFrom(Absolute(t.dir)));
  if (latest) {
    auto built = nlohmann::json::parse(latest->source, nullptr, false);
    std::string differ = FlagDifferences(built, SourceOf(t));
    if (!differ.empty()) {
      return Status::InvalidInput(fmt::format(
          "--dir {}: its template {} was built with other flags: {}; give the same flags, or "
          "--hash {}, or build this one first with `pgstack testdb template`",
          t.dir, latest->hash, differ, latest->hash));
    }
  }
  return EnsureDirTemplate(service, t);
}

}  // namespace pgstack::testdb
