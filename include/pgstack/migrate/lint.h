// `pgstack migrate lint`, static: finds the statements of migrations that would lock or rewrite
// a busy table, break the code still running, or fail on a non-empty table, before they run.
// Each rule is one row of LintRules(): its id, severity, what PostgreSQL 17 does, and the safe
// way; that table drives the checker, `--help`, docs/migrations.md and the tests.
//
// Statements are parsed with PostgreSQL's own grammar (libpg_query). A table created earlier in
// the same migration or run is new: work on it takes no alarm. A comment line
// `-- pgstack:lint-ignore RULE reason` right above a statement silences RULE there (a RULE that
// names no rule is a lint-ignore-unknown-rule finding).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pgstack/core/config.h"
#include "pgstack/core/status.h"
#include "pgstack/migrate/migration.h"

namespace pgstack::migrate {

enum class Severity { kInfo = 0, kWarning = 1, kError = 2 };
std::string_view SeverityName(Severity s);  // "info", "warning", "error"
std::optional<Severity> ParseSeverity(std::string_view name);

// The rules as code names them: one constant per row of LintRules(), in the same order
// (lint_rules.cpp asserts it at compile time), so that a mistyped rule does not compile. The
// text of an id ("dropping-table") is for users: what they write comes in through
// ParseLintRuleId.
enum class LintRuleId {
  // Indexes.
  kRequireConcurrentIndexCreation,
  kRequireConcurrentIndexDeletion,
  kRequireConcurrentReindex,
  kConcurrentlyInTransaction,
  // Constraints.
  kAddingForeignKeyConstraint,
  kConstraintMissingNotValid,
  kDisallowedUniqueConstraint,
  kAddingExclusionConstraint,
  kSettingNotNull,
  // Columns.
  kChangingColumnType,
  kAddingFieldWithVolatileDefault,
  kAddingSerialColumn,
  kAddingStoredGeneratedColumn,
  kAddingRequiredField,
  // Code still running.
  kRenamingTable,
  kRenamingColumn,
  kDroppingTable,
  kDroppingColumn,
  // Maintenance statements.
  kVacuumFull,
  kCluster,
  kTruncateCascade,
  kDetachPartitionWithoutConcurrently,
  // The transaction as a whole, and pgstack's runner.
  kMultipleStrongLocks,
  kNonIdempotentResume,
  kLockTimeoutDisabled,
  // Style: new columns.
  kPreferBigintOverInt,
  kPreferIdentity,
  kPreferTimestamptz,
  kPreferTextField,
  // Statements that do not parse, and the linter's own limits.
  kSyntaxError,
  kNotParsed,
  kLintIgnoreUnknownRule,
  kTraceTableRewrite,  // the last: lint_rules.cpp counts the rows by it
};

struct LintRule {
  LintRuleId key;
  std::string_view id;  // the name users write: "dropping-table"
  Severity severity;
  std::string_view summary;   // what it catches, one line
  std::string_view postgres;  // what PostgreSQL 17 does: lock, how long, rewrite or scan
  std::string_view fix;       // the safe way
  std::string_view bad;       // a migration the rule fires on (tests and docs use it)
  std::string_view good;      // the safe version, on which it does not fire ("" for trace-only)
  bool trace_only = false;    // found by --trace, not by reading the SQL
};

// Every rule, in the order the docs list them.
std::span<const LintRule> LintRules();
const LintRule& LintRuleOf(LintRuleId key);
// The row whose id is `id`, nullptr when none is.
const LintRule* FindLintRule(std::string_view id);
// A rule named by a user: kInvalidInput "unknown lint rule 'ID' (did you mean 'NEAREST'?; ...)"
// when no rule has that id, for the caller to put where it was written in front.
Result<LintRuleId> ParseLintRuleId(std::string_view id);

struct Finding {
  std::string rule;
  Severity severity = Severity::kWarning;
  std::string file;
  int line = 1;
  int column = 1;
  std::string message;  // what PostgreSQL 17 does with this statement
  std::string fix;      // the safe way
};

struct LintOptions {
  std::set<std::string> disabled;  // rule ids switched off everywhere
  // Rule ids switched off for the files of one directory (its .pgstack-lint), by directory.
  std::map<std::string, std::set<std::string>> disabled_in_dir;
};

struct LintReport {
  std::vector<Finding> findings;  // in run order
  int files = 0;

  // The most severe finding, nullopt when there is none.
  std::optional<Severity> Worst() const;
};

// Lints the up SQL of migrations, in the order they would run (one "run": a table created by an
// earlier one is new). `context` are migrations that ran before (already applied): they are not
// linted but tell the checker column types and validated constraints.
LintReport Lint(const std::vector<const Migration*>& migrations, const LintOptions& options,
                const std::vector<const Migration*>& context = {});

// A single file given on the command line, read in the format its content says: pgstack's or
// dbmate's sections, else the whole file is up SQL. Bad input is kInvalidInput naming the file.
Result<Migration> ReadLintFile(const std::string& path);

// Rules switched off for a migrations directory: its `.pgstack-lint` file, lines
// `disable = RULE[, RULE...]` (# comments). An unknown rule is kInvalidInput naming the file.
Result<std::set<std::string>> DisabledRulesOf(const std::string& dir);
// Rules switched off for dir by the config ("migrate": {"lint_disable": {"DIR": [RULE...]}}),
// DIR (relative to the config's project root, core::ConfigRoot) matched to dir as both resolve
// ("./database/migrations/" is "database/migrations"). An
// unknown rule is kInvalidInput naming config_file and the key.
Result<std::set<std::string>> ConfigDisabledRules(const core::MigrateConfig& config,
                                                  const std::string& config_file,
                                                  const std::string& dir);

// `--json`: {"findings": [{"rule", "severity", "file", "line", "column", "message", "fix"}],
// "files": N}.
nlohmann::json LintJson(const LintReport& report);
// A SARIF 2.1.0 log of the findings (every rule described), for code scanning.
nlohmann::json LintSarif(const LintReport& report);

}  // namespace pgstack::migrate
