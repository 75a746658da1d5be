#include <fmt/format.h>

#include "pgstack/core/duration.h"
#include "pgstack/migrate/schema_plan.h"

namespace pgstack::migrate {
namespace {

std::string Ms(int ms) {
  return ms == 0 ? "0" : core::FormatDuration(std::chrono::milliseconds(ms));
}

}  // namespace

const std::string_view kPreamble =
    "-- Function bodies are checked when they run, as pg_dump's are: a body may name what the\n"
    "-- plan creates after it.\n"
    "SET check_function_bodies = false;\n";

std::vector<PlanGroup> GroupPlan(const SchemaPlan& plan) {
  std::vector<PlanGroup> out;
  for (const PlanStatement& st : plan.statements) {
    bool joins = st.transaction && !st.commit_before && !out.empty() && out.back().transaction;
    if (!joins) out.push_back(PlanGroup{.transaction = st.transaction, .statements = {}});
    out.back().statements.push_back(&st);
  }
  return out;
}

std::string PlanScript(const SchemaPlan& plan, const PlanTimeouts& t) {
  if (plan.empty()) return "";
  std::string out(kPreamble);
  for (const PlanGroup& g : GroupPlan(plan)) {
    out += "\n";
    // SET LOCAL ends with the transaction; outside one, SET holds for what follows, which sets
    // its own before it runs.
    std::string set = g.transaction ? "SET LOCAL" : "SET";
    if (g.transaction) out += "BEGIN;\n";
    out += fmt::format("{} lock_timeout = '{}';\n", set, Ms(t.lock_ms));
    int current = -1;
    for (const PlanStatement* st : g.statements) {
      int timeout = st->long_running ? t.build_ms : t.ddl_ms;
      if (timeout != current)
        out += fmt::format("{} statement_timeout = '{}';\n", set, Ms(timeout));
      current = timeout;
      for (const Hazard& h : st->hazards) {
        out += fmt::format("-- hazard {}: {}\n", HazardName(h.kind), h.message);
      }
      out += st->sql + "\n";
    }
    if (g.transaction) out += "COMMIT;\n";
  }
  return out;
}

}  // namespace pgstack::migrate
