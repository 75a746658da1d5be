#include "pgstack/migrate/planner.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <unordered_map>

namespace pgstack::migrate {
namespace {

// History rows sort by version; repeatables (no version) after, by key. Versions are parsed
// once, not per comparison: status sorts thousands.
void SortApplied(std::vector<AppliedEntry>& applied) {
  std::vector<std::pair<std::optional<Version>, AppliedEntry>> keyed;
  keyed.reserve(applied.size());
  for (const auto& a : applied) keyed.emplace_back(Version::Parse(a.row->version), a);
  std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
    if (a.first && b.first) return *a.first < *b.first;
    if (a.first.has_value() != b.first.has_value()) return a.first.has_value();
    return a.second.row->version < b.second.row->version;
  });
  for (size_t i = 0; i < keyed.size(); ++i) applied[i] = keyed[i].second;
}

// The problem of a row whose run stopped half way (state partial or reverting).
Problem HalfRun(const HistoryRow& row, const Migration* m) {
  Problem p{Problem::Kind::kPartial, row.version, row.name, m ? m->up.path : "", "", false};
  if (row.state != kStatePartial) {
    p.reverting = p.blocks_up = true;
    p.detail = fmt::format("its down stopped after statement {} of {}; `migrate down` finishes it",
                           row.statements_done, row.statements_total);
  } else if (m && m->UpMode() == RunMode::kTransaction) {
    // One transaction would run again the statements that committed one by one.
    p.blocks_up = true;
    p.detail = fmt::format(
        "stopped after statement {} of {} of a statement-by-statement run, but its file now runs "
        "in one transaction, which would run those {} again; make it run statement by statement "
        "again (as it did when it stopped) and `migrate up` resumes it",
        row.statements_done, row.statements_total, row.statements_done);
  } else {
    std::string where =
        m && row.statements_done < static_cast<int>(m->up.statements.size())
            ? " (next: " + m->up.Where(m->up.statements[row.statements_done].begin) + ")"
            : "";
    p.detail = fmt::format("stopped after statement {} of {}{}; `migrate up` resumes it",
                           row.statements_done, row.statements_total, where);
  }
  return p;
}

}  // namespace

std::string_view ProblemKindName(Problem::Kind k) {
  switch (k) {
    case Problem::Kind::kChanged:
      return "changed";
    case Problem::Kind::kMissing:
      return "missing";
    case Problem::Kind::kOutOfOrder:
      return "out_of_order";
    case Problem::Kind::kPartial:
      return "partial";
    case Problem::Kind::kNameDiffers:
      return "name_differs";
  }
  return "?";
}

Plan MakePlan(const MigrationSet& set, const std::vector<HistoryRow>& history,
              const PlanOptions& opts) {
  Plan plan;
  plan.allow_out_of_order = opts.allow_out_of_order;
  std::unordered_map<std::string, const Migration*> by_key;
  by_key.reserve(set.migrations.size());
  for (const auto& m : set.migrations) by_key.emplace(m.key(), &m);
  std::unordered_map<std::string, const HistoryRow*> rows;
  rows.reserve(history.size());
  std::optional<Version> newest;
  for (const auto& row : history) {
    rows.emplace(row.version, &row);
    auto it = by_key.find(row.version);
    const Migration* m = it == by_key.end() ? nullptr : it->second;
    if (!m) {
      plan.problems.push_back({Problem::Kind::kMissing, row.version, row.name, "",
                               "applied " + row.applied_at + " but no file has this version"});
    } else if (m->name != row.name) {
      // Another migration that took the applied one's version: nothing of it ran, and neither
      // its checksum (repair) nor its down SQL stands for the one applied.
      plan.problems.push_back(
          {Problem::Kind::kNameDiffers, row.version, row.name, m->up.path,
           fmt::format("the migration applied as version {} is named \"{}\", this file is named "
                       "\"{}\": another migration with the same version (give it a version of "
                       "its own, or restore the file that was applied)",
                       row.version, row.name, m->name)});
      m = nullptr;
    } else if (row.kind != kKindRepeatable && m->checksum != row.checksum) {
      plan.problems.push_back(
          {Problem::Kind::kChanged, row.version, row.name, m->up.path,
           fmt::format("edited after it was applied: file checksum {}, applied checksum {}",
                       m->checksum, row.checksum)});
    }
    if (row.state == kStateApplied) {
      plan.applied.push_back({&row, m});
    } else {
      if (row.state == kStateReverting) plan.reverting.push_back({&row, m});
      plan.problems.push_back(HalfRun(row, m));
    }
    if (row.kind != kKindRepeatable) {
      if (auto v = Version::Parse(row.version); v && (!newest || *newest < *v)) newest = v;
    }
  }
  SortApplied(plan.applied);
  for (const auto& m : set.migrations) {
    auto it = rows.find(m.key());
    const HistoryRow* row = it == rows.end() ? nullptr : it->second;
    if (m.repeatable()) {
      if (!opts.to && (!row || row->checksum != m.checksum)) plan.pending.push_back({&m, nullptr});
      continue;
    }
    if (opts.to && *opts.to < *m.version) continue;
    if (!row) {
      plan.pending.push_back({&m, nullptr});
      if (newest && *m.version < *newest) {
        plan.problems.push_back(
            {Problem::Kind::kOutOfOrder, m.key(), m.name, m.up.path,
             fmt::format("not applied, but older than the newest applied version {}{}",
                         newest->str(),
                         opts.allow_out_of_order ? "" : " (--allow-out-of-order applies it)")});
      }
    } else if (row->state == kStatePartial) {
      plan.pending.push_back({&m, row});
    }
  }
  return plan;
}

Status Refusal(const Plan& plan) {
  std::string why;
  int n = 0;
  bool changed = false;  // `migrate repair` helps with edited files only
  bool missing = false;
  for (const auto& p : plan.problems) {
    bool refuses = p.kind == Problem::Kind::kChanged || p.kind == Problem::Kind::kMissing ||
                   p.kind == Problem::Kind::kNameDiffers ||
                   (p.kind == Problem::Kind::kOutOfOrder && !plan.allow_out_of_order) ||
                   p.blocks_up;
    if (!refuses) continue;
    changed |= p.kind == Problem::Kind::kChanged;
    missing |= p.kind == Problem::Kind::kMissing;
    // Ten are enough to act on; the rest are counted (status lists them all).
    if (++n > 10) continue;
    why += fmt::format("\n  {} {}: {}{}", ProblemKindName(p.kind), p.version,
                       p.file.empty() ? "" : p.file + ": ", p.detail);
  }
  if (n == 0) return Status::Ok();
  if (n > 10) why += fmt::format("\n  ... and {} more (`migrate status` lists them)", n - 10);
  std::string hints;
  if (changed) hints += "; `migrate repair` accepts edited files deliberately";
  if (missing) hints += "; restore a missing file from version control";
  return Status::CheckFailed(fmt::format("refusing to migrate: {} problem{} (nothing was run{}){}",
                                         n, n == 1 ? "" : "s", hints, why));
}

Status Unwritten(const std::vector<const Migration*>& migrations) {
  for (const Migration* m : migrations) {
    if (!m->unwritten) continue;
    return Status::InvalidInput(fmt::format(
        "{}:{}: empty migration: its up SQL has no statement yet (write it, or delete the "
        "file); nothing was run",
        m->up.path, m->up.first_line));
  }
  return Status::Ok();
}

Result<std::vector<AppliedEntry>> PlanDown(const Plan& plan, std::optional<int> count,
                                           std::optional<Version> to) {
  std::vector<AppliedEntry> candidates;
  // A down that stopped half way is finished first.
  std::vector<AppliedEntry> out = plan.reverting;
  // Reverse iterators, not std::views::reverse: clang-tidy's clang 14 cannot parse
  // libstdc++ 12's ranges.
  std::copy_if(plan.applied.rbegin(), plan.applied.rend(), std::back_inserter(candidates),
               [](const AppliedEntry& e) { return e.row->kind != kKindRepeatable; });
  // "--to 0" is "all": version 0 itself too, which "above 0" would keep.
  const bool all = to && to->IsZero();
  for (const auto& c : candidates) {
    auto v = Version::Parse(c.row->version);
    if (to ? (all || (v && *to < *v)) : static_cast<int>(out.size()) < count.value_or(1)) {
      out.push_back(c);
    }
  }
  for (const auto& e : out) {
    if (!e.migration) {
      return Status::InvalidInput(
          fmt::format("cannot revert {} ({}): its file is missing; nothing was reverted",
                      e.row->version, e.row->name));
    }
    if (!e.migration->down) {
      return Status::InvalidInput(
          fmt::format("{}: no down SQL for version {}; nothing was reverted", e.migration->up.path,
                      e.row->version));
    }
  }
  return out;
}

}  // namespace pgstack::migrate
