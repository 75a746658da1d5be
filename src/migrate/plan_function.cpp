// A function dropped and created again (its return type or kind changes) while columns call it:
// the server refuses the drop while they do. A default goes first and comes back after the new
// function; a generated column's expression is set to NULL and back (PostgreSQL 17's
// SET EXPRESSION), each a rewrite of its table.
#include <fmt/format.h>

#include "plan_builder.h"

namespace pgstack::migrate::internal {

std::vector<ColumnOf> PlanBuilder::ColumnsCalling(const CatalogObject& function) const {
  // As the catalog writes a call in an expression (read with an empty search_path): the
  // qualified name, then the argument list.
  std::string call = function.identity.substr(0, function.identity.find('(')) + "(";
  std::vector<ColumnOf> out;
  for (const CatalogObject& o : from_.objects) {
    // A recreated table is dropped before the function, with its columns.
    if (o.kind != ObjectKind::kTable || Recreated(o)) continue;
    for (const Column& c : o.columns) {
      if (c.default_expr.find(call) != std::string::npos ||
          c.generated.find(call) != std::string::npos)
        out.push_back({&o, &c});
    }
  }
  return out;
}

void PlanBuilder::LetGoOf(const CatalogObject& function) {
  for (const ColumnOf& d : ColumnsCalling(function)) {
    std::string column =
        fmt::format("ALTER TABLE {} ALTER COLUMN {}", d.table->identity, d.column->name);
    if (d.column->generated.empty()) {
      early_.push_back(Sql(column + " DROP DEFAULT;"));
      continue;
    }
    PlanStatement st = Sql(fmt::format("{} SET EXPRESSION AS (NULL::{});", column, d.column->type));
    st.long_running = true;
    early_.push_back(std::move(
        WithHazard(st, HazardKind::kRewritesTable, d.table->identity + "." + d.column->name,
                   "the generated column calls " + function.identity +
                       ", which is recreated: its expression is set aside, rewriting the table")));
  }
}

void PlanBuilder::TakeBack(const CatalogObject& function) {
  for (const ColumnOf& d : ColumnsCalling(function)) {
    auto to = to_by_key_.find({ObjectKind::kTable, d.table->identity});
    if (to == to_by_key_.end()) continue;  // dropped by the plan
    for (const Column& c : to->second->columns) {
      if (c.name != d.column->name) continue;
      std::string column = fmt::format("ALTER TABLE {} ALTER COLUMN {}", d.table->identity, c.name);
      // What the column has in `to`; a changed default is set once more by the table's change,
      // the same value.
      if (d.column->generated.empty() && !c.default_expr.empty()) {
        main_.push_back(Sql(fmt::format("{} SET DEFAULT {};", column, c.default_expr)));
      } else if (!d.column->generated.empty() && !c.generated.empty()) {
        PlanStatement st = Sql(fmt::format("{} SET EXPRESSION AS ({});", column, c.generated));
        st.long_running = true;
        main_.push_back(
            std::move(WithHazard(st, HazardKind::kRewritesTable, d.table->identity + "." + c.name,
                                 "the generated column is computed again for every row")));
      }
    }
  }
}

}  // namespace pgstack::migrate::internal
