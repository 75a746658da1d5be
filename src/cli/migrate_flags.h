// The flags of `pgstack migrate` and of every one of its actions, as typed: one struct that each
// row of migrate's action table (kActions, cmd_migrate.cpp) adds its own flags to, whichever file
// the action lives in. Defaults are migrate::Options's own, so that --help shows what the library
// does when a flag is not given.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "action_table.h"
#include "pgstack/core/duration.h"
#include "pgstack/migrate/runner.h"
#include "pgstack/migrate/schema_plan.h"

namespace pgstack::cli {

// lint's own (cmd_migrate_lint.cpp).
struct LintFlags {
  std::vector<std::string> files;
  bool all = false;
  bool trace = false;
  bool rules = false;
  std::string fail_on = "warning";
  std::string sarif;
};

// dump's own (cmd_migrate_schema.cpp).
struct DumpFlags {
  std::string from = "migrations";
  std::string out;
  std::vector<std::string> schemas;
  std::vector<std::string> exclude_schemas;
  bool owners = false;
};

// diff's own (cmd_migrate_schema.cpp).
struct DiffFlags {
  std::string from = "migrations";
  std::string to;
  std::vector<std::string> schemas;
  std::vector<std::string> exclude_schemas;
  bool owners = false;
  std::string allow_hazards;
  std::vector<std::string> renames;
  std::vector<std::string> usings;
  std::string write;
  bool apply = false;
  std::string ddl_timeout =
      core::FormatDuration(std::chrono::milliseconds(migrate::PlanTimeouts{}.ddl_ms));
  std::string build_timeout = "0";
};

struct MigrateFlags {
  std::string dir = migrate::Options{}.dir;
  std::string format;
  std::string history;
  bool pooled = false;
  bool direct = false;
  std::string lock_timeout =
      core::FormatDuration(std::chrono::milliseconds(migrate::Options{}.wait_ms));
  std::string lease = core::FormatDuration(std::chrono::milliseconds(migrate::Options{}.lease_ms));
  std::string pg_lock_timeout =
      core::FormatDuration(std::chrono::milliseconds(migrate::Options{}.lock_timeout_ms));
  std::string statement_timeout;
  int retries = migrate::Options{}.retries;
  bool allow_out_of_order = false;
  std::string to;
  std::string name;
  std::string version;
  std::string from;  // adopt's
  std::optional<int> count;
  LintFlags lint;
  DumpFlags dump;
  DiffFlags diff;
};

// An action of `pgstack migrate`: it runs with migrate's options, made from the common flags
// (Needs::kDatabase) or holding only the directory (Needs::kDirectory).
using MigrateAction = Action<MigrateFlags, migrate::Options>;

}  // namespace pgstack::cli
