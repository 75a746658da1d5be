// schema.drift: `pgstack migrate drift` as a check.
#include <fmt/format.h>

#include <filesystem>

#include "checks.h"
#include "pgstack/core/project_file.h"
#include "pgstack/migrate/drift.h"

namespace pgstack::verify {

Outcome SchemaDrift(Probe& probe) {
  // The project's migrations, found as verify finds its other files, unless --dir names them.
  std::string dir = probe.migrations_dir().empty()
                        ? core::ProjectFile("database/migrations", probe.env().file)
                        : probe.migrations_dir();
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return Outcome::Skip("no migrations directory " + dir + " (--dir)");
  }
  auto ep = probe.endpoints();
  if (!ep.ok()) return probe.Unreachable(ep.status());
  if ((*ep)->superuser.host.empty()) {
    return Outcome::Skip("no administrator connection to build the expected schema with");
  }
  migrate::Options o;
  o.dir = dir;
  o.conn = (*ep)->direct;
  o.conn.application_name = "pgstack verify";
  migrate::ScratchOptions where{.superuser = (*ep)->superuser,
                                .target_db = (*ep)->direct.dbname,
                                .extensions = probe.env().postgres.extensions};
  auto drift = migrate::DriftOfDir(o, where);
  if (!drift.ok()) {
    if (drift.status().code() == Code::kInvalidInput)
      return Outcome::Fail(drift.status().message());
    return probe.Unreachable(drift.status());
  }
  const auto& diffs = drift->differences;
  if (diffs.empty()) {
    return Outcome::Pass(
        fmt::format("{} applied migration(s) of {} build the live schema", drift->applied, dir));
  }
  std::string list;
  for (size_t i = 0; i < diffs.size() && i < 5; ++i) {
    list +=
        fmt::format("{}{} {} {}", i ? "; " : "", diffs[i].change, diffs[i].kind, diffs[i].object);
  }
  if (diffs.size() > 5) list += fmt::format("; and {} more", diffs.size() - 5);
  return Outcome::Fail(fmt::format("{} difference(s) from {}: {}", diffs.size(), dir, list),
                       "no difference", fmt::format("{} difference(s)", diffs.size()));
}

}  // namespace pgstack::verify
