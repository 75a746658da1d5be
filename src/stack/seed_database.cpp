#include "seed_database.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "pgstack/pg/sql_literal.h"

namespace pgstack::stack {
namespace {

// Runs statements (one per line) in a single-user postgres on `database`. Such a backend reports
// a failed statement and goes on with the next, exiting 0: its output's ERROR line is the failure.
Status RunSingleUser(core::ProcessRunner& runner, const core::OsUser& service,
                     const std::string& bin_dir, const std::string& data_dir,
                     const std::string& database, const std::string& statements) {
  PGSTACK_ASSIGN_OR_RETURN(std::string out, RunAsForOutput(runner, service,
                                                           {bin_dir + "/postgres", "--single", "-F",
                                                            "-D", data_dir, database},
                                                           "postgres --single", 120, statements));
  for (const char* level : {"ERROR:", "FATAL:", "PANIC:"}) {
    size_t at = out.find(level);
    if (at == std::string::npos) continue;
    return Status::Failure(fmt::format("the seed database in {}: {}", data_dir,
                                       out.substr(at, out.find('\n', at) - at)));
  }
  return Status::Ok();
}

}  // namespace

std::optional<std::vector<std::string>> SeedFor(const core::PostgresConfig& cfg) {
  static constexpr std::array<const char*, 4> kTaken = {"postgres", "template0", "template1",
                                                        kSeedDatabase};
  if (std::find(kTaken.begin(), kTaken.end(), cfg.database) != kTaken.end()) return std::nullopt;
  return cfg.extensions;
}

Status CreateSeed(core::ProcessRunner& runner, const core::OsUser& service,
                  const std::string& bin_dir, const std::string& data_dir,
                  const std::vector<std::string>& extensions) {
  // FILE_COPY: template1's files copied as they are, where WAL_LOG (a running server's default)
  // writes each page into the WAL too; the database is the same, made in about half the time.
  PGSTACK_RETURN_IF_ERROR(
      RunSingleUser(runner, service, bin_dir, data_dir, "postgres",
                    fmt::format("CREATE DATABASE {} STRATEGY file_copy\n", kSeedDatabase)));
  if (extensions.empty()) return Status::Ok();
  std::string sql;
  for (const auto& ext : extensions) sql += "CREATE EXTENSION " + pg::SqlIdent(ext) + "\n";
  return RunSingleUser(runner, service, bin_dir, data_dir, kSeedDatabase, sql);
}

}  // namespace pgstack::stack
