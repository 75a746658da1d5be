#include "pgstack/migrate/diff.h"

#include <fmt/format.h>

#include <algorithm>
#include <future>
#include <optional>
#include <regex>

#include "diff_scratch.h"
#include "pgstack/core/interrupt.h"
#include "pgstack/migrate/lint.h"
#include "pgstack/pg/interruptible.h"
#include "pgstack/pg/transaction.h"
#include "readers.h"
#include "scratch_db.h"

namespace pgstack::migrate {
namespace {

// --rename KIND:OLD=NEW as the statement that renames. Names are SQL identifiers, as the user
// would write them in DDL (optionally schema-qualified, optionally quoted).
Result<PlanStatement> RenameStatement(const std::string& spec) {
  static const std::regex kSpec(
      R"(^(table|column|index|constraint|view):([A-Za-z0-9_."$]+)=([A-Za-z0-9_"$]+)$)");
  std::smatch m;
  if (!std::regex_match(spec, m, kSpec)) {
    return Status::InvalidInput(fmt::format(
        "--rename {}: want KIND:OLD=NEW, KIND one of table, column, index, constraint, view "
        "(column:TABLE.OLD=NEW, constraint:TABLE.OLD=NEW)",
        spec));
  }
  std::string kind = m[1], old = m[2], name = m[3];
  std::string sql;
  if (kind == "column" || kind == "constraint") {
    size_t dot = old.rfind('.');
    if (dot == std::string::npos) {
      return Status::InvalidInput(fmt::format("--rename {}: want {}:TABLE.OLD=NEW", spec, kind));
    }
    sql = fmt::format("ALTER TABLE {} RENAME {} {} TO {};", old.substr(0, dot),
                      kind == "column" ? "COLUMN" : "CONSTRAINT", old.substr(dot + 1), name);
  } else {
    sql = fmt::format("ALTER {} {} RENAME TO {};", kind == "index" ? "INDEX" : "TABLE", old, name);
  }
  PlanStatement st{.sql = sql};
  st.hazards.push_back(
      {HazardKind::kBreaksRunningCode, old,
       fmt::format("renames {} {} to {}: code that uses the old name breaks", kind, old, name)});
  return st;
}

// "orders.total" or "public.orders.total" as the catalog names the column.
Result<std::map<std::string, std::string>> UsingByColumn(
    const std::map<std::string, std::string>& given) {
  std::map<std::string, std::string> out;
  for (const auto& [column, expr] : given) {
    size_t dots = std::count(column.begin(), column.end(), '.');
    if (dots < 1 || dots > 2 || expr.empty()) {
      return Status::InvalidInput(fmt::format(
          "--using {}={}: want TABLE.COLUMN=EXPR (or SCHEMA.TABLE.COLUMN=EXPR)", column, expr));
    }
    out[dots == 1 ? "public." + column : column] = expr;
  }
  return out;
}

// The plan through migrate lint: an error finding that is not one of the plan's hazards (a
// NOT NULL column without default is depends_on_data) is a bug in the plan.
Status LintPlan(const SchemaPlan& plan) {
  // Its statements as one migration that runs outside a transaction: how each group commits
  // is the plan's, not lint's, to decide.
  std::string sql;
  for (const PlanStatement& st : plan.statements) sql += st.sql + "\n";
  PGSTACK_ASSIGN_OR_RETURN(SqlText text, internal::MakeSqlText("the plan", std::move(sql), 1));
  Migration m;
  m.name = "the plan";
  m.up = std::move(text);
  m.up_options.no_transaction = true;
  LintReport report = Lint({&m}, {});
  bool depends_on_data = false;
  for (const Hazard& h : plan.hazards()) depends_on_data |= h.kind == HazardKind::kDependsOnData;
  for (const Finding& f : report.findings) {
    if (f.severity != Severity::kError) continue;
    if (f.rule == LintRuleOf(LintRuleId::kAddingRequiredField).id && depends_on_data) continue;
    return Status::Failure(fmt::format(
        "the plan fails migrate lint ({} at line {}: {}); this is a bug in pgstack's plan", f.rule,
        f.line, f.message));
  }
  return Status::Ok();
}

Status Prove(pg::Connection& conn, pg::Connection& helper, const DiffRequest& r,
             const SchemaPlan& plan, const Catalog& to) {
  if (Status run = RunPlan(conn, plan, nullptr); !run.ok()) {
    if (core::IsInterruption(run)) return run;
    return Status::Failure("the plan does not run on a copy of the from schema: " + run.message() +
                           " (a bug in pgstack's plan; please report it)");
  }
  PGSTACK_ASSIGN_OR_RETURN(Catalog after, ReadCatalog(conn, r.source.filter, &helper));
  std::vector<std::string> left = Differences(after, to);
  if (!left.empty()) {
    std::string list;
    for (const std::string& l : left) list += "\n  " + l;
    return Status::Failure(
        "the plan does not arrive at the to schema (a bug in pgstack's plan; "
        "please report it with this list); still different:" +
        list);
  }
  return LintPlan(plan);
}

}  // namespace

namespace internal {

bool CanCast(pg::Connection& conn, const std::string& from, const std::string& to) {
  Status s = conn.Run(fmt::format("SELECT NULL::{}::{}", from, to));
  return s.ok() || s.sqlstate() == "42704";
}

}  // namespace internal

std::vector<Hazard> RefusedHazards(const SchemaPlan& plan, const std::set<HazardKind>& allowed) {
  std::vector<Hazard> out;
  for (const Hazard& h : plan.hazards()) {
    if (SpecOf(h.kind).refused && !allowed.count(h.kind)) out.push_back(h);
  }
  return out;
}

Status RunPlan(pg::Connection& conn, const SchemaPlan& plan, const PlanTimeouts* t) {
  auto timeouts = [&](std::string_view set, const PlanStatement& st) -> Status {
    if (t == nullptr) return Status::Ok();
    return conn.Run(fmt::format("{} lock_timeout = {}; {} statement_timeout = {}", set, t->lock_ms,
                                set, st.long_running ? t->build_ms : t->ddl_ms));
  };
  // IF EXISTS skips are the plan's to expect, not the user's to read.
  PGSTACK_RETURN_IF_ERROR(conn.Run("SET client_min_messages = warning"));
  PGSTACK_RETURN_IF_ERROR(conn.Run(kPreamble));
  size_t n = 0;
  for (const PlanGroup& g : GroupPlan(plan)) {
    std::optional<pg::Transaction> tx;
    if (g.transaction) {
      PGSTACK_ASSIGN_OR_RETURN(pg::Transaction begun, pg::Transaction::Begin(conn));
      tx.emplace(std::move(begun));
    }
    for (const PlanStatement* st : g.statements) {
      ++n;
      Status s = timeouts(g.transaction ? "SET LOCAL" : "SET", *st);
      if (s.ok()) s = pg::RunInterruptible(conn, st->sql);
      if (core::IsInterruption(s)) return s;
      if (!s.ok()) return s.WithContext(fmt::format("statement {} ({})", n, st->sql));
    }
    if (tx) PGSTACK_RETURN_IF_ERROR(tx->Commit());
  }
  return Status::Ok();
}

Result<DiffResult> PlanDiff(const DiffRequest& r) {
  PGSTACK_ASSIGN_OR_RETURN(auto using_exprs, UsingByColumn(r.using_exprs));
  std::vector<PlanStatement> renames;
  for (const std::string& spec : r.renames) {
    PGSTACK_ASSIGN_OR_RETURN(PlanStatement st, RenameStatement(spec));
    renames.push_back(std::move(st));
  }
  DiffResult out;
  // The two reads and the proof's scratch database are independent, each on its own
  // connection: the server does them at once. The load needs only the from schema: it starts
  // while the to schema is still being read.
  auto to = std::async(std::launch::async, [&] { return ReadSource(r.to, r.source); });
  auto made = std::async(std::launch::async, [&] {
    return internal::ScratchDb::Create(r.source.scratch, "template0");
  });
  Result<Catalog> from = ReadSource(r.from, r.source);
  Result<internal::ScratchDb> made_db = made.get();
  PGSTACK_RETURN_IF_ERROR(from.status());
  if (!made_db.ok()) {
    Result<Catalog> to_read = to.get();
    return to_read.ok() ? made_db.status() : to_read.status();
  }
  out.from = std::move(*from);
  internal::ScratchDb scratch = std::move(*made_db);
  Status proven = [&]() -> Status {
    PGSTACK_ASSIGN_OR_RETURN(pg::Connection conn, scratch.Connect());
    // The proof's second reader, connected while the schema loads.
    auto helping = std::async(std::launch::async, [&] { return scratch.Connect(); });
    PGSTACK_RETURN_IF_ERROR(internal::LoadSchema(scratch, conn, out.from));
    Result<Catalog> to_read = to.get();
    PGSTACK_RETURN_IF_ERROR(to_read.status());
    out.to = std::move(*to_read);
    PGSTACK_ASSIGN_OR_RETURN(pg::Connection helper, helping.get());
    Catalog start = out.from;
    if (!renames.empty()) {
      for (size_t i = 0; i < renames.size(); ++i) {
        if (Status s = conn.Run(renames[i].sql); !s.ok()) {
          return Status::InvalidInput(fmt::format("--rename {}: {}", r.renames[i], s.message()));
        }
      }
      PGSTACK_ASSIGN_OR_RETURN(start, ReadCatalog(conn, r.source.filter, &helper));
    }
    SchemaPlanOptions po{
        .can_cast = [&conn](const std::string& a,
                            const std::string& b) { return internal::CanCast(conn, a, b); },
        .using_exprs = using_exprs};
    SchemaPlan rest = PlanChanges(start, out.to, po);
    PGSTACK_RETURN_IF_ERROR(Prove(conn, helper, r, rest, out.to));
    out.plan.statements = std::move(renames);
    for (PlanStatement& st : rest.statements) out.plan.statements.push_back(std::move(st));
    return Status::Ok();
  }();
  Status dropped = scratch.Drop();
  PGSTACK_RETURN_IF_ERROR(proven);
  PGSTACK_RETURN_IF_ERROR(dropped);
  return out;
}

}  // namespace pgstack::migrate
