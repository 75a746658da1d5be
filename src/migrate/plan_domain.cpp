// A domain whose base type stays changes in place (ALTER DOMAIN), where dropping it would need
// every column of it dropped first: checks dropped and added, default and NOT NULL set.
#include <fmt/format.h>

#include <algorithm>

#include "plan_builder.h"

namespace pgstack::migrate::internal {
namespace {

// A check as CatalogObject::labels holds it: its quoted name, then its definition.
struct Check {
  std::string name;
  std::string definition;
};

Check CheckOf(const std::string& label) {
  size_t sep = label.find('\x1f');
  return {label.substr(0, sep), sep == std::string::npos ? "" : label.substr(sep + 1)};
}

bool Has(const std::vector<std::string>& labels, const std::string& label) {
  return std::find(labels.begin(), labels.end(), label) != labels.end();
}

}  // namespace

bool PlanBuilder::TypeInUse(const std::string& type) const {
  for (const CatalogObject& t : from_.objects) {
    if (t.kind != ObjectKind::kTable || !Existing(t.identity)) continue;
    for (const Column& c : t.columns) {
      if (c.type == type || c.type == type + "[]") return true;
    }
  }
  return false;
}

void PlanBuilder::ChangeDomain(const CatalogObject& from, const CatalogObject& to) {
  const Column& was = from.columns.front();
  const Column& now = to.columns.front();
  const std::string& d = to.identity;
  // The server checks a new rule against every column of the domain under a SHARE lock on its
  // table (ALTER DOMAIN has no lighter way, NOT VALID then VALIDATE included).
  bool in_use = TypeInUse(d);
  auto checked = [&](PlanStatement st, const std::string& rule) {
    WithHazard(st, HazardKind::kDependsOnData, d,
               "fails if a value in a column of the domain breaks " + rule);
    if (in_use)
      WithHazard(st, HazardKind::kBlocksWrites, d,
                 "checks every column of the domain under a SHARE lock, which blocks writes to "
                 "their tables");
    st.long_running = in_use;
    main_.push_back(std::move(st));
  };
  for (const std::string& label : from.labels) {
    if (!Has(to.labels, label))
      main_.push_back(
          Sql(fmt::format("ALTER DOMAIN {} DROP CONSTRAINT {};", d, CheckOf(label).name)));
  }
  if (was.default_expr != now.default_expr) {
    main_.push_back(Sql(now.default_expr.empty()
                            ? fmt::format("ALTER DOMAIN {} DROP DEFAULT;", d)
                            : fmt::format("ALTER DOMAIN {} SET DEFAULT {};", d, now.default_expr)));
  }
  if (was.not_null && !now.not_null)
    main_.push_back(Sql(fmt::format("ALTER DOMAIN {} DROP NOT NULL;", d)));
  if (!was.not_null && now.not_null)
    checked(Sql(fmt::format("ALTER DOMAIN {} SET NOT NULL;", d)), "NOT NULL");
  for (const std::string& label : to.labels) {
    if (Has(from.labels, label)) continue;
    Check c = CheckOf(label);
    checked(Sql(fmt::format("ALTER DOMAIN {} ADD CONSTRAINT {} {};", d, c.name, c.definition)),
            "the check " + c.name);
  }
}

}  // namespace pgstack::migrate::internal
