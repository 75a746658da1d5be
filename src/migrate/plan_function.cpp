// A function dropped and created again (its return type or kind changes) while column defaults
// call it: the server refuses the drop while they do, so the defaults go first and come back
// after the new function.
#include <fmt/format.h>

#include "plan_builder.h"

namespace pgstack::migrate::internal {

std::vector<ColumnOf> PlanBuilder::DefaultsCalling(const CatalogObject& function) const {
  // As the catalog writes a call in a default (read with an empty search_path): the qualified
  // name, then the argument list.
  std::string call = function.identity.substr(0, function.identity.find('(')) + "(";
  std::vector<ColumnOf> out;
  for (const CatalogObject& o : from_.objects) {
    // A recreated table is dropped before the function, with its defaults.
    if (o.kind != ObjectKind::kTable || Recreated(o)) continue;
    for (const Column& c : o.columns) {
      if (c.default_expr.find(call) != std::string::npos) out.push_back({&o, &c});
    }
  }
  return out;
}

void PlanBuilder::DropDefaultsCalling(const CatalogObject& function) {
  for (const ColumnOf& d : DefaultsCalling(function)) {
    early_.push_back(Sql(fmt::format("ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT;",
                                     d.table->identity, d.column->name)));
  }
}

void PlanBuilder::RestoreDefaultsCalling(const CatalogObject& function) {
  for (const ColumnOf& d : DefaultsCalling(function)) {
    auto to = to_by_key_.find({ObjectKind::kTable, d.table->identity});
    if (to == to_by_key_.end()) continue;  // dropped by the plan
    for (const Column& c : to->second->columns) {
      // The default the table has in `to`: a changed one is set once more by the table's
      // change, the same value.
      if (c.name != d.column->name || c.default_expr.empty()) continue;
      main_.push_back(Sql(fmt::format("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {};",
                                      d.table->identity, c.name, c.default_expr)));
    }
  }
}

}  // namespace pgstack::migrate::internal
