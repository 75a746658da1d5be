#include "pgstack/migrate/diff_write.h"

#include <fmt/format.h>

#include "diff_scratch.h"
#include "format_table.h"
#include "pgstack/migrate/dump.h"
#include "pgstack/migrate/scaffold.h"
#include "pgstack/migrate/source.h"
#include "pgstack/pg/conn_params.h"
#include "scratch_db.h"

namespace pgstack::migrate {
namespace {

// Each transaction group of the plan as a plan of its own: one migration each.
std::vector<SchemaPlan> Migrations(const SchemaPlan& plan) {
  std::vector<SchemaPlan> out;
  for (const PlanGroup& g : GroupPlan(plan)) {
    SchemaPlan part;
    for (const PlanStatement* st : g.statements) part.statements.push_back(*st);
    part.statements.front().commit_before = false;
    out.push_back(std::move(part));
  }
  return out;
}

std::string Text(const SchemaPlan& part, bool with_hazards) {
  std::string out;
  for (const PlanStatement& st : part.statements) {
    if (with_hazards) {
      for (const Hazard& h : st.hazards) {
        out += fmt::format("-- hazard {}: {}\n", HazardName(h.kind), h.message);
      }
    }
    out += st.sql + "\n";
  }
  return out;
}

// A down whose statements cannot share a transaction, in a format whose no-transaction file
// holds one statement: written to run in one transaction instead, its index builds and drops
// not concurrent (a down puts back what was; its locks are those of a rollback).
MigrationDraft DraftOf(const SchemaPlan& up, SchemaPlan down, bool splits) {
  bool up_alone = !up.statements.front().transaction;
  bool down_alone = false;
  for (const PlanStatement& st : down.statements) down_alone |= !st.transaction;
  if (down_alone && !splits && down.statements.size() > 1) {
    for (PlanStatement& st : down.statements) {
      size_t at = st.sql.find(" CONCURRENTLY");
      if (at != std::string::npos) st.sql.erase(at, 13);
    }
    down_alone = false;
  }
  return {.up = Text(up, false),
          .up_no_transaction = up_alone,
          .down = Text(down, true),
          .down_no_transaction = down_alone};
}

// The schema after each migration, from `from` on, in a scratch database; then the downs run
// in reverse there, which must arrive at `from` exactly.
Result<std::vector<SchemaPlan>> ProvenDowns(const DiffRequest& r, const Catalog& from,
                                            const std::vector<SchemaPlan>& ups) {
  PGSTACK_ASSIGN_OR_RETURN(internal::ScratchDb scratch,
                           internal::ScratchDb::Create(r.source.scratch, "template0"));
  Result<std::vector<SchemaPlan>> downs = [&]() -> Result<std::vector<SchemaPlan>> {
    PGSTACK_ASSIGN_OR_RETURN(pg::Connection conn, scratch.Connect());
    PGSTACK_RETURN_IF_ERROR(internal::LoadSchema(scratch, conn, from));
    PGSTACK_ASSIGN_OR_RETURN(Catalog start, ReadCatalog(conn, r.source.filter));
    std::vector<Catalog> states{start};
    for (const SchemaPlan& up : ups) {
      PGSTACK_RETURN_IF_ERROR(RunPlan(conn, up, nullptr));
      PGSTACK_ASSIGN_OR_RETURN(Catalog after, ReadCatalog(conn, r.source.filter));
      states.push_back(std::move(after));
    }
    SchemaPlanOptions po{.can_cast = [&conn](const std::string& a, const std::string& b) {
      return internal::CanCast(conn, a, b);
    }};
    std::vector<SchemaPlan> out(ups.size());
    for (size_t k = ups.size(); k-- > 0;) {
      out[k] = PlanChanges(states[k + 1], states[k], po);
      if (Status s = RunPlan(conn, out[k], nullptr); !s.ok()) {
        return Status::Failure("the down of migration " + std::to_string(k + 1) +
                               " does not run: " + s.message() +
                               " (a bug in pgstack's plan; please report it)");
      }
    }
    PGSTACK_ASSIGN_OR_RETURN(Catalog back, ReadCatalog(conn, r.source.filter));
    std::vector<std::string> left = Differences(back, start);
    if (!left.empty()) {
      return Status::Failure(
          "the downs do not return to the from schema (a bug in pgstack's "
          "plan; please report it): " +
          left.front());
    }
    return out;
  }();
  Status dropped = scratch.Drop();
  if (downs.ok() && !dropped.ok()) return dropped;
  return downs;
}

}  // namespace

Result<std::vector<std::string>> WriteDiffMigrations(const DiffRequest& r, const DiffResult& d,
                                                     const std::string& name) {
  // The name and the directory first: a bad one fails before the downs are proven.
  PGSTACK_ASSIGN_OR_RETURN(NewMigrationTarget target,
                           PrepareNewMigration(r.source.dir, name, r.source.format));
  std::vector<SchemaPlan> ups = Migrations(d.plan);
  PGSTACK_ASSIGN_OR_RETURN(std::vector<SchemaPlan> downs, ProvenDowns(r, d.from, ups));
  bool splits = internal::SpecOf(target.format).splits_without_transaction;
  std::vector<MigrationDraft> drafts;
  for (size_t k = 0; k < ups.size(); ++k) drafts.push_back(DraftOf(ups[k], downs[k], splits));
  return WriteNewMigrations(target, drafts);
}

Status ApplyDiff(const DiffRequest& r, const DiffResult& d, const PlanTimeouts& t) {
  PGSTACK_ASSIGN_OR_RETURN(pg::ConnParams p, pg::ParseConnString(r.from.text, {}));
  PGSTACK_ASSIGN_OR_RETURN(pg::Connection conn, pg::Connection::Open(p));
  PGSTACK_ASSIGN_OR_RETURN(Catalog now, ReadCatalog(conn, r.source.filter));
  // The same schema dumps to the same bytes.
  if (DumpSql(now) != DumpSql(d.from)) {
    std::vector<std::string> changed = Differences(d.from, now);
    return Status::CheckFailed(fmt::format(
        "--apply: the schema of {} changed since it was planned ({}); nothing was run: plan again",
        Describe(r.from, r.source.dir), changed.empty() ? "its dump differs" : changed.front()));
  }
  return RunPlan(conn, d.plan, &t);
}

}  // namespace pgstack::migrate
