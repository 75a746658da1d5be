// Indexes and constraints added to a table that exists before the plan: built concurrently,
// added NOT VALID then validated, or attached USING INDEX, so that the table takes reads and
// writes throughout.
#include <fmt/format.h>

#include <regex>

#include "plan_builder.h"

namespace pgstack::migrate::internal {
namespace {

std::string SchemaOf(const std::string& identity) {
  size_t dot = identity.find('.');
  return dot == std::string::npos ? "" : identity.substr(0, dot + 1);
}

// "CREATE [UNIQUE] INDEX name ON ..." with CONCURRENTLY after INDEX.
std::string Concurrently(const std::string& ddl) {
  size_t at = ddl.find("INDEX ");
  return ddl.substr(0, at + 6) + "CONCURRENTLY " + ddl.substr(at + 6);
}

void IndexHazards(PlanStatement& st, const CatalogObject& index) {
  WithHazard(st, HazardKind::kIndexBuild, index.identity,
             "a concurrent build reads the whole table (CPU and I/O)");
  if (st.sql.starts_with("CREATE UNIQUE")) {
    WithHazard(st, HazardKind::kDependsOnData, index.identity, "fails on duplicate rows");
  }
}

}  // namespace

bool PlanBuilder::Partitioned(const std::string& table) const {
  auto it = to_by_key_.find({ObjectKind::kTable, table});
  return it != to_by_key_.end() && it->second->shape.size() > 1 && it->second->shape[1] == 'p';
}

void PlanBuilder::CreateIndex(const CatalogObject& index) {
  if (index.shape == "p") {
    CreatePartitionedIndex(index);
    return;
  }
  PlanStatement st = NoTransaction(Concurrently(index.ddl));
  IndexHazards(st, index);
  main_.push_back(std::move(st));
}

// A partitioned table takes no concurrent build: the index is made on the parent alone (ON
// ONLY, invalid until every partition has one), built concurrently on each partition, and each
// attached.
void PlanBuilder::CreatePartitionedIndex(const CatalogObject& index) {
  size_t on = index.ddl.find(" ON ");
  size_t using_at = index.ddl.find(" USING ", on);
  main_.push_back(
      Sql(index.ddl.substr(0, on) + " ON ONLY " + index.parent + index.ddl.substr(using_at)));
  auto parent = to_by_key_.find({ObjectKind::kTable, index.parent});
  if (parent == to_by_key_.end()) return;
  for (const CatalogObject& t : to_.objects) {
    if (t.kind != ObjectKind::kTable ||
        std::find(t.after.begin(), t.after.end(), parent->second->node) == t.after.end()) {
      continue;
    }
    std::string part = Bare(t.identity.substr(t.identity.find('.') + 1));
    std::string child = Derived(index.name, "_" + part);
    std::string head =
        index.ddl.starts_with("CREATE UNIQUE") ? "CREATE UNIQUE INDEX" : "CREATE INDEX";
    PlanStatement build = NoTransaction(fmt::format("{} CONCURRENTLY {} ON {}{}", head, child,
                                                    t.identity, index.ddl.substr(using_at)));
    IndexHazards(build, index);
    main_.push_back(std::move(build));
    main_.push_back(Sql(fmt::format("ALTER INDEX {} ATTACH PARTITION {}{};", index.identity,
                                    SchemaOf(t.identity), child)));
  }
}

// A changed index is never missing: the old one is renamed aside, the new one built under the
// real name, then the old one dropped.
void PlanBuilder::ReplaceIndex(const CatalogObject& index) {
  std::string aside = Derived(index.name, "_pgstack_old");
  main_.push_back(Sql(fmt::format("ALTER INDEX {} RENAME TO {};", index.identity, aside)));
  CreateIndex(index);
  std::string old = SchemaOf(index.identity) + aside;
  main_.push_back(index.shape == "p"
                      ? Sql(fmt::format("DROP INDEX {};", old))
                      : NoTransaction(fmt::format("DROP INDEX CONCURRENTLY {};", old)));
  Recomment("index " + index.identity);
}

void PlanBuilder::AddConstraint(const CatalogObject& c) {
  bool partitioned = Partitioned(c.parent);
  if ((c.shape == "c" || (c.shape == "f" && !partitioned))) {
    AddNotValid(c);
    return;
  }
  if ((c.shape == "p" || c.shape == "u") && !partitioned && AddUniqueUsingIndex(c, false)) return;
  PlanStatement st = Sql(c.ddl);
  st.long_running = true;
  main_.push_back(std::move(
      WithHazard(st, HazardKind::kBlocksWrites, c.identity,
                 "the constraint is checked, or its index built, under an ACCESS EXCLUSIVE lock")));
}

void PlanBuilder::AddNotValid(const CatalogObject& c) {
  if (c.ddl.ends_with(" NOT VALID;")) {
    main_.push_back(Sql(c.ddl));
    return;
  }
  main_.push_back(Sql(c.ddl.substr(0, c.ddl.size() - 1) + " NOT VALID;"));
  PlanStatement validate =
      Sql(fmt::format("ALTER TABLE {} VALIDATE CONSTRAINT {};", c.parent, c.name));
  validate.commit_before = true;
  validate.long_running = true;
  validate_.push_back(std::move(
      WithHazard(validate, HazardKind::kDependsOnData, c.identity, "fails if a row breaks it")));
}

bool PlanBuilder::AddUniqueUsingIndex(const CatalogObject& c, bool replacing) {
  static const std::regex kDef(
      R"(^(PRIMARY KEY|UNIQUE)( NULLS NOT DISTINCT)? (\([^()]*\))( INCLUDE \([^()]*\))?( DEFERRABLE(?: INITIALLY (?:DEFERRED|IMMEDIATE))?)?;$)");
  std::string head = fmt::format("ALTER TABLE {} ADD CONSTRAINT {} ", c.parent, c.name);
  if (!c.ddl.starts_with(head)) return false;
  std::string def = c.ddl.substr(head.size());
  std::smatch m;
  if (!std::regex_match(def, m, kDef)) return false;
  std::string index = replacing ? Derived(c.name, "_pgstack_new") : c.name;
  PlanStatement build =
      NoTransaction(fmt::format("CREATE UNIQUE INDEX CONCURRENTLY {} ON {} {}{}{};", index,
                                c.parent, m[3].str(), m[4].str(), m[2].str()));
  IndexHazards(build, c);
  main_.push_back(std::move(build));
  if (replacing) {
    main_.push_back(Sql(fmt::format("ALTER TABLE {} DROP CONSTRAINT {};", c.parent, c.name)));
  }
  PlanStatement attach =
      Sql(fmt::format("{}{} USING INDEX {}{};", head, m[1].str(), index, m[5].str()));
  if (!replacing) attach.commit_before = true;
  main_.push_back(std::move(attach));
  if (replacing) Recomment("table constraint " + c.identity);
  return true;
}

bool PlanBuilder::ReplacedOnline(const CatalogObject& from) const {
  const CatalogObject* to = ToOf(from);
  return from.kind == ObjectKind::kConstraint && (from.shape == "p" || from.shape == "u") &&
         to != nullptr && to->shape == from.shape && Existing(from.parent) &&
         !Partitioned(from.parent);
}

}  // namespace pgstack::migrate::internal
