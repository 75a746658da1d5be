// Compares a migrations directory with the history and decides: what is applied, what is
// pending (in the order `up` runs it), and what is wrong. Pure: no database, no files.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pgstack/core/status.h"
#include "pgstack/migrate/history.h"
#include "pgstack/migrate/migration.h"

namespace pgstack::migrate {

struct Problem {
  enum class Kind {
    kChanged,      // an applied migration's file was edited since
    kMissing,      // an applied migration's file is gone
    kOutOfOrder,   // a pending migration is older than the newest applied one
    kPartial,      // a statement-by-statement run stopped half way (resumed by `up`)
    kNameDiffers,  // the file with an applied version has another name: another migration
  };
  Kind kind;
  std::string version;
  std::string name;
  std::string file;  // empty for kMissing
  std::string detail;
  // kPartial: the run that stopped was a down; `down` must finish it before `up` runs again.
  bool reverting = false;
  // kPartial: `up` cannot resume it (a down stopped half way, or the file now runs in one
  // transaction), so it refuses to run.
  bool blocks_up = false;
};
std::string_view ProblemKindName(Problem::Kind k);  // "changed", "missing", ...

struct AppliedEntry {
  const HistoryRow* row;
  const Migration* migration;  // null when its file is missing (or another has its version)
};

struct PendingEntry {
  const Migration* migration;
  const HistoryRow* partial;  // the row of a run that stopped half way, if any
};

struct Plan {
  std::vector<AppliedEntry> applied;    // complete rows, by version
  std::vector<PendingEntry> pending;    // what `up` runs, in order
  std::vector<AppliedEntry> reverting;  // rows whose down stopped half way
  std::vector<Problem> problems;
  bool allow_out_of_order = false;
};

struct PlanOptions {
  std::optional<Version> to;        // up to and including this version
  bool allow_out_of_order = false;  // an out-of-order pending migration is then no problem
};

Plan MakePlan(const MigrationSet& set, const std::vector<HistoryRow>& history,
              const PlanOptions& opts);

// The problems that stop `up`: changed, missing or differently named files, (unless allowed)
// out-of-order ones and a half run that `up` cannot resume, as one kCheckFailed status naming each
// file (both checksums for an edit). OK when none.
Status Refusal(const Plan& plan);

// kInvalidInput naming the first of `migrations` whose up SQL is still empty (Migration::
// unwritten), else OK: what up (for its pending ones) and validate (for all) refuse.
Status Unwritten(const std::vector<const Migration*>& migrations);

// The applied migrations `down` reverts, newest first: `count` of them, or all above `to`.
// Fails (kInvalidInput, before anything runs) when one has no file or no down SQL.
Result<std::vector<AppliedEntry>> PlanDown(const Plan& plan, std::optional<int> count,
                                           std::optional<Version> to);

}  // namespace pgstack::migrate
