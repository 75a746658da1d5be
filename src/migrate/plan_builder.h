// PlanChanges's work, shared by its files: plan_builder.cpp (matching, what must be recreated,
// the phases), plan_tables.cpp (a table's columns and shape), plan_online.cpp (the online-safe
// forms on tables that exist before the plan) and plan_objects.cpp (every other kind).
//
// A plan has five phases, run in this order:
//  1. drops of objects that others stand on (views, triggers, policies, constraints, indexes,
//     and what is recreated), in reverse dependency order of `from`;
//  2. creates and changes, in dependency order of `to`;
//  3. validations of what 2 added NOT VALID, each in its own transaction;
//  4. what needs a validated constraint (SET NOT NULL through its CHECK);
//  5. drops of what holds data or is used by others (tables, functions, types, sequences,
//     schemas, extensions), in reverse dependency order of `from`: nothing still uses them.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pgstack/migrate/schema_plan.h"

namespace pgstack::migrate::internal {

using ObjectKey = std::pair<ObjectKind, std::string>;  // (kind, identity)

// Whether two versions of a domain have the same base type and collation: ALTER DOMAIN changes
// the rest (ChangeDomain); otherwise it is recreated.
bool SameDomainBase(const CatalogObject& a, const CatalogObject& b);

// A column with the table it is in.
struct ColumnOf {
  const CatalogObject* table;
  const Column* column;
};

// Whether two versions of one object are the same as diff compares them (owners, column order
// and oids aside).
bool SameObject(const CatalogObject& a, const CatalogObject& b);

// The parts of a table's shape (CatalogObject::shape): its persistence ('p' or 'u'), its
// storage options ("fillfactor=70"), and the rest (relkind and partitioning), which no ALTER
// changes.
char TablePersistence(const std::string& shape);
std::string TableOptions(const std::string& shape);
std::string TableStructure(const std::string& shape);

// A name without its quotes; a new name made from one, within PostgreSQL's 63 bytes, quoted.
std::string Bare(const std::string& quoted);
std::string Derived(const std::string& name, std::string_view suffix);

// One statement of the plan.
PlanStatement Sql(std::string sql);
PlanStatement NoTransaction(std::string sql);
PlanStatement& WithHazard(PlanStatement& st, HazardKind kind, std::string object,
                          std::string message);

class PlanBuilder {
 public:
  PlanBuilder(const Catalog& from, const Catalog& to, const SchemaPlanOptions& o);
  SchemaPlan Build();

 private:
  // Matching and recreation.
  void FindRecreated();
  void CascadeRecreation();
  bool Existing(const std::string& table) const;  // a table of `from` the plan does not recreate
  bool Recreated(const CatalogObject& o) const;
  const CatalogObject* FromOf(const CatalogObject& to) const;
  const CatalogObject* ToOf(const CatalogObject& from) const;

  // Phases.
  void DropEarly(const CatalogObject& from);
  void DropLate(const CatalogObject& from);
  void Create(const CatalogObject& to);
  void Change(const CatalogObject& from, const CatalogObject& to);

  // plan_tables.cpp
  void ChangeTable(const CatalogObject& from, const CatalogObject& to);
  void ChangeTableShape(const CatalogObject& from, const CatalogObject& to);
  void AddColumn(const CatalogObject& table, const Column& c);
  void ChangeColumn(const CatalogObject& table, const Column& from, const Column& to);
  void ChangeColumnType(const CatalogObject& table, const Column& from, const Column& to);
  void SetNotNull(const CatalogObject& table, const Column& c);
  void ChangeIdentity(const CatalogObject& table, const Column& from, const Column& to);
  std::string LikelyRename(const CatalogObject& table, const Column& dropped) const;
  std::string LikelyTableRename(const CatalogObject& dropped) const;

  // plan_online.cpp
  void CreateIndex(const CatalogObject& index);
  void CreatePartitionedIndex(const CatalogObject& index);
  void ReplaceIndex(const CatalogObject& index);
  void AddConstraint(const CatalogObject& constraint);
  // PRIMARY KEY or UNIQUE on an index built concurrently; `replacing`: the constraint of that
  // name is dropped in the same transaction that adds the new one. False when the definition
  // has a form ADD ... USING INDEX cannot take.
  bool AddUniqueUsingIndex(const CatalogObject& constraint, bool replacing);
  void AddNotValid(const CatalogObject& constraint);
  bool ReplacedOnline(const CatalogObject& from) const;  // a PK or UNIQUE swapped in place
  bool Partitioned(const std::string& table) const;

  // plan_objects.cpp
  void ChangeEnum(const CatalogObject& from, const CatalogObject& to);
  // `why`: its rewrites_table message; `risk`: its columns' depends_on_data one ("": none).
  void RecreateInUse(const CatalogObject& to, const std::string& via, const std::string& why,
                     const std::string& risk);
  // Before the rest: an enum's values, or a type recreated under the columns that use it.
  void ChangeTypeFirst(const CatalogObject& from, const CatalogObject& to);
  bool RetypedInUse(const CatalogObject& from, const CatalogObject& to) const;  // a composite
  void ChangeComposite(const CatalogObject& from, const CatalogObject& to);
  // plan_function.cpp: the columns whose default or generation expression calls a function
  std::vector<ColumnOf> ColumnsCalling(const CatalogObject& function) const;
  void LetGoOf(const CatalogObject& function);   // before the function's drop
  void TakeBack(const CatalogObject& function);  // after it is created again
  // plan_domain.cpp
  void ChangeDomain(const CatalogObject& from, const CatalogObject& to);
  bool TypeInUse(const std::string& type) const;  // by a column of a table that exists
  std::vector<PlanStatement> ChangeRowSecurity(const CatalogObject* from,
                                               const CatalogObject* to) const;
  std::vector<PlanStatement> ChangeGrants(const CatalogObject* from, const CatalogObject* to) const;
  PlanStatement DropStatement(const CatalogObject& from) const;
  bool OwnerGone(const CatalogObject& from) const;  // dropped with what it belongs to
  void CreatePlain(const CatalogObject& to);
  // The comment of `to` on an object the plan replaced in its own way (an index swapped, a
  // column added again), named as the catalog names comments ("index app.orders_open").
  void Recomment(const std::string& comment_identity);

  const Catalog& from_;
  const Catalog& to_;
  const SchemaPlanOptions& options_;
  std::map<ObjectKey, const CatalogObject*> from_by_key_;
  std::map<ObjectKey, const CatalogObject*> to_by_key_;
  std::map<std::string, const CatalogObject*> to_by_node_;
  std::map<std::string, const CatalogObject*> from_by_node_;
  std::set<std::string> recreated_;       // nodes of `from` that are dropped and created again
  std::set<std::string> tables_altered_;  // identities of tables whose columns change in type
  std::vector<PlanStatement> early_, main_, validate_, after_validate_, late_;
};

}  // namespace pgstack::migrate::internal
