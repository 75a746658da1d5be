#include "pgstack/migrate/trace.h"

#include <fmt/format.h>

#include <chrono>
#include <map>
#include <set>

#include "pgstack/pg/error_class.h"
#include "scratch_db.h"

namespace pgstack::migrate {
namespace {

using internal::ScratchDb;

// Tables and materialized views outside the system schemas: oid -> (name, relfilenode).
using FileNodes = std::map<std::string, std::pair<std::string, std::string>>;

constexpr std::string_view kUserRelations =
    "c.relnamespace NOT IN (SELECT oid FROM pg_namespace WHERE nspname IN ('pg_catalog', "
    "'information_schema') OR nspname LIKE 'pg\\_toast%' OR nspname LIKE 'pg\\_temp%')";

Result<FileNodes> Snapshot(pg::Connection& conn) {
  PGSTACK_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      conn.Exec(fmt::format("SELECT c.oid, c.oid::regclass::text, c.relfilenode FROM pg_class c "
                            "WHERE c.relkind IN ('r', 'm') AND {}",
                            kUserRelations)));
  FileNodes out;
  for (int i = 0; i < r.rows(); ++i) {
    out[std::string(r.get(i, 0))] = {std::string(r.get(i, 1)), std::string(r.get(i, 2))};
  }
  return out;
}

Result<std::vector<TraceLock>> HeldLocks(pg::Connection& conn) {
  PGSTACK_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      conn.Exec(fmt::format(
          "SELECT DISTINCT coalesce(c.oid::regclass::text, l.relation::text), l.mode "
          "FROM pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation "
          "WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted "
          "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
          "AND (c.oid IS NULL OR {}) ORDER BY 1, 2",
          kUserRelations)));
  std::vector<TraceLock> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({std::string(r.get(i, 0)), std::string(r.get(i, 1))});
  }
  return out;
}

double MsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

void Tell(const ScratchOptions& o, const std::string& what) {
  if (o.on_event) o.on_event(what);
}

}  // namespace

Result<TraceReport> Trace(const ScratchOptions& where, const std::vector<const Migration*>& applied,
                          const std::vector<const Migration*>& pending) {
  TraceReport report;
  report.clone = "template";
  Tell(where, "trace: cloning " + where.target_db);
  auto scratch = ScratchDb::Create(where, where.target_db);
  if (!scratch.ok() && pg::Classify(scratch.status()) == pg::ErrorClass::kObjectInUse) {
    // Other sessions use the target (a pool, the application): a template copy needs it idle.
    // Build its schema from the applied migrations instead, in an empty database.
    Tell(where, "trace: " + where.target_db + " is in use; replaying the applied migrations");
    report.clone = "replayed";
    scratch = ScratchDb::Create(where);
    if (!scratch.ok()) return scratch.status();
    PGSTACK_ASSIGN_OR_RETURN(pg::Connection conn, scratch->Connect());
    PGSTACK_RETURN_IF_ERROR(internal::CreateExtensions(conn, where.extensions));
    for (const Migration* m : applied) PGSTACK_RETURN_IF_ERROR(internal::RunUpSql(conn, *m));
  } else if (!scratch.ok()) {
    return scratch.status().WithContext("trace: cannot clone " + where.target_db);
  }
  PGSTACK_ASSIGN_OR_RETURN(pg::Connection conn, scratch->Connect());
  for (const Migration* m : pending) {
    Tell(where, "trace: " + m->key() + " " + m->name);
    auto around = [&](const SqlText& t, const Statement& st,
                      const std::function<Status()>& run) -> Status {
      TraceStep step;
      step.version = m->key();
      step.file = t.path;
      step.line = t.first_line + LineColumnAt(t.sql, st.begin).line - 1;
      PGSTACK_ASSIGN_OR_RETURN(FileNodes before, Snapshot(conn));
      auto t0 = std::chrono::steady_clock::now();
      PGSTACK_RETURN_IF_ERROR(run());
      step.ms = MsSince(t0);
      if (conn.in_transaction()) {
        PGSTACK_ASSIGN_OR_RETURN(step.locks, HeldLocks(conn));
      }
      PGSTACK_ASSIGN_OR_RETURN(FileNodes after, Snapshot(conn));
      for (const auto& [oid, was] : before) {
        auto now = after.find(oid);
        if (now != after.end() && now->second.second != was.second) {
          step.rewritten.push_back(now->second.first);
        }
      }
      report.steps.push_back(std::move(step));
      return Status::Ok();
    };
    PGSTACK_RETURN_IF_ERROR(internal::RunUpSql(conn, *m, around));
  }
  PGSTACK_RETURN_IF_ERROR(scratch->Drop());
  return report;
}

void AddTraceFindings(const TraceReport& trace, LintReport& report) {
  const LintRule& rule = LintRuleOf(LintRuleId::kTraceTableRewrite);
  for (const TraceStep& s : trace.steps) {
    if (s.rewritten.empty()) continue;
    bool flagged = false;
    for (const Finding& f : report.findings) {
      flagged =
          flagged || (f.file == s.file && f.line == s.line && f.severity >= Severity::kWarning);
    }
    if (flagged) continue;
    std::string tables;
    for (const std::string& t : s.rewritten) tables += (tables.empty() ? "" : ", ") + t;
    report.findings.push_back(
        Finding{.rule = std::string(rule.id),
                .severity = rule.severity,
                .file = s.file,
                .line = s.line,
                .column = 1,
                .message = fmt::format("--trace: this statement rewrote {} ({:.0f} ms on the "
                                       "clone): PostgreSQL 17 {}",
                                       tables, s.ms, rule.postgres),
                .fix = std::string(rule.fix)});
  }
}

nlohmann::json TraceJson(const TraceReport& trace) {
  nlohmann::json steps = nlohmann::json::array();
  for (const TraceStep& s : trace.steps) {
    nlohmann::json locks = nlohmann::json::array();
    for (const TraceLock& l : s.locks)
      locks.push_back({{"relation", l.relation}, {"mode", l.mode}});
    steps.push_back({{"version", s.version},
                     {"file", s.file},
                     {"line", s.line},
                     {"locks", std::move(locks)},
                     {"rewritten", s.rewritten},
                     {"ms", s.ms}});
  }
  return steps;
}

}  // namespace pgstack::migrate
