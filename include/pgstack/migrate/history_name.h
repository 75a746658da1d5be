// A history's name: which table of schema `pgstack` holds it and which lease row its runners
// take turns on. Two services that share a database give their migrations directories different
// names (as Flyway's `table` and golang-migrate's `x-migrations-table` do), so that neither sees
// the other's migrations nor waits for the other's runners; runners of one history still apply
// each migration exactly once.
//
//   schema_history (the default)  table pgstack.schema_history, lease pgstack.migration_lock
//   NAME                          table pgstack."NAME", lease row NAME of pgstack.history_lease
//
// The default keeps the lease row it always had, so that an older pgstack running at the same
// time as this one still takes turns with it, and existing stacks need no change of their data.
#pragma once

#include <string>
#include <string_view>

#include "pgstack/core/config.h"
#include "pgstack/core/status.h"

namespace pgstack::migrate {

inline constexpr std::string_view kDefaultHistory = "schema_history";

// The SQL names of one history; every statement that reads or writes it is built from these.
struct HistoryTable {
  std::string name;          // as given: "schema_history"
  std::string table;         // qualified and quoted: pgstack."schema_history"
  std::string lease_table;   // qualified: pgstack.migration_lock or pgstack.history_lease
  std::string lease_column;  // its key column: id or history
  std::string lease_key;     // the condition picking this history's row of lease_table
  std::string lease_new;     // the (column) VALUES (...) that makes that row
};

// The history called `name`. kInvalidInput naming it when it is not a lower-case SQL identifier
// (a-z, 0-9, _; not starting with a digit; at most 63 bytes) or when it is one of pgstack's own
// tables.
Result<HistoryTable> HistoryNamed(std::string_view name);

// The history name the config's migrate.history gives directory `dir` (the same directory
// however the key spells it), or kDefaultHistory when it names none. kInvalidInput naming the
// file and the key for a name HistoryNamed refuses.
Result<std::string> ConfigHistoryName(const core::MigrateConfig& config,
                                      const std::string& config_file, const std::string& dir);

}  // namespace pgstack::migrate
