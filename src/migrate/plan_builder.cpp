#include "plan_builder.h"

#include <fmt/format.h>

#include <algorithm>

namespace pgstack::migrate {
namespace internal {
namespace {

// Kinds that hold data or that other objects use: dropped last, when nothing uses them.
bool DroppedLate(ObjectKind k) {
  switch (k) {
    case ObjectKind::kSchema:
    case ObjectKind::kExtension:
    case ObjectKind::kType:
    case ObjectKind::kSequence:
    case ObjectKind::kFunction:
    case ObjectKind::kTable:
      return true;
    default:
      return false;
  }
}

// Kinds recreated when what they stand on is recreated or has a column change its type: the
// server refuses such a change while they exist, or drops them with what they stand on.
bool Cascades(ObjectKind k) { return !DroppedLate(k); }

}  // namespace

bool SameDomainBase(const CatalogObject& a, const CatalogObject& b) {
  return a.columns.size() == 1 && b.columns.size() == 1 && a.columns[0].type == b.columns[0].type &&
         a.columns[0].collation == b.columns[0].collation;
}

bool SameObject(const CatalogObject& a, const CatalogObject& b) {
  if (a.kind != b.kind || a.identity != b.identity || a.shape != b.shape || a.labels != b.labels) {
    return false;
  }
  if (a.kind != ObjectKind::kTable) return a.ddl == b.ddl;
  // Column order is not compared: the columns as a set, by name.
  if (a.columns.size() != b.columns.size()) return false;
  std::map<std::string, const Column*> by_name;
  for (const Column& c : a.columns) by_name[c.name] = &c;
  for (const Column& c : b.columns) {
    auto it = by_name.find(c.name);
    if (it == by_name.end() || !(*it->second == c)) return false;
  }
  return true;
}

std::string Bare(const std::string& quoted) {
  if (quoted.size() >= 2 && quoted.front() == '"') return quoted.substr(1, quoted.size() - 2);
  return quoted;
}

std::string Derived(const std::string& name, std::string_view suffix) {
  std::string bare = Bare(name);
  bare.resize(std::min(bare.size(), 63 - suffix.size()));
  return "\"" + bare + std::string(suffix) + "\"";
}

PlanStatement Sql(std::string sql) { return PlanStatement{.sql = std::move(sql)}; }

PlanStatement NoTransaction(std::string sql) {
  return PlanStatement{.sql = std::move(sql), .transaction = false, .long_running = true};
}

PlanStatement& WithHazard(PlanStatement& st, HazardKind kind, std::string object,
                          std::string message) {
  st.hazards.push_back({kind, std::move(object), std::move(message)});
  return st;
}

PlanBuilder::PlanBuilder(const Catalog& from, const Catalog& to, const SchemaPlanOptions& o)
    : from_(from), to_(to), options_(o) {
  for (const CatalogObject& x : from.objects) {
    from_by_key_[{x.kind, x.identity}] = &x;
    from_by_node_[x.node] = &x;
  }
  for (const CatalogObject& x : to.objects) {
    to_by_key_[{x.kind, x.identity}] = &x;
    to_by_node_[x.node] = &x;
  }
}

const CatalogObject* PlanBuilder::FromOf(const CatalogObject& to) const {
  auto it = from_by_key_.find({to.kind, to.identity});
  return it == from_by_key_.end() ? nullptr : it->second;
}

const CatalogObject* PlanBuilder::ToOf(const CatalogObject& from) const {
  auto it = to_by_key_.find({from.kind, from.identity});
  return it == to_by_key_.end() ? nullptr : it->second;
}

bool PlanBuilder::Recreated(const CatalogObject& o) const { return recreated_.count(o.node) > 0; }

bool PlanBuilder::Existing(const std::string& table) const {
  auto it = from_by_key_.find({ObjectKind::kTable, table});
  return it != from_by_key_.end() && !Recreated(*it->second) && ToOf(*it->second) != nullptr;
}

// What cannot change in place: dropped, then created again.
void PlanBuilder::FindRecreated() {
  for (const CatalogObject& f : from_.objects) {
    const CatalogObject* t = ToOf(f);
    if (t == nullptr || SameObject(f, *t)) continue;
    switch (f.kind) {
      case ObjectKind::kView:
      case ObjectKind::kConstraint:
      case ObjectKind::kForeignKey:
      case ObjectKind::kTrigger:
      case ObjectKind::kPolicy:
        recreated_.insert(f.node);
        break;
      case ObjectKind::kIndex:
        if (!Existing(f.parent)) recreated_.insert(f.node);
        break;
      case ObjectKind::kFunction:
        if (f.shape != t->shape) recreated_.insert(f.node);
        break;
      case ObjectKind::kType:
        // Enums, composite types and a domain whose base type stays change in place; a kind
        // that changes, not. A domain in use that changes its base type is recreated under its
        // columns (RecreateInUse), not dropped.
        if (f.shape != t->shape ||
            (f.shape == "d" && !SameDomainBase(f, *t) && !TypeInUse(f.identity)))
          recreated_.insert(f.node);
        break;
      case ObjectKind::kTable:
        if (TableStructure(f.shape) != TableStructure(t->shape)) recreated_.insert(f.node);
        break;
      default:
        break;
    }
  }
}

// Objects that stand on what is recreated, or on a table whose columns change type, are
// recreated too: views over views, a trigger over a recreated function, the comments and grants
// of what is recreated.
void PlanBuilder::CascadeRecreation() {
  std::set<std::string> altered_nodes;
  for (const CatalogObject& f : from_.objects) {
    if (f.kind == ObjectKind::kTable && tables_altered_.count(f.identity)) {
      altered_nodes.insert(f.node);
    }
  }
  for (bool grew = true; grew;) {
    grew = false;
    for (const CatalogObject& f : from_.objects) {
      if (!Cascades(f.kind) || Recreated(f) || ToOf(f) == nullptr) continue;
      bool over_altered_table = f.kind == ObjectKind::kView || f.kind == ObjectKind::kTrigger ||
                                f.kind == ObjectKind::kPolicy;
      for (const std::string& a : f.after) {
        if (recreated_.count(a) || (over_altered_table && altered_nodes.count(a))) {
          recreated_.insert(f.node);
          grew = true;
          break;
        }
      }
    }
  }
}

SchemaPlan PlanBuilder::Build() {
  FindRecreated();
  for (const CatalogObject& t : to_.objects) {
    const CatalogObject* f = FromOf(t);
    if (f == nullptr || Recreated(*f)) continue;
    if (t.kind == ObjectKind::kTable) {
      for (const Column& c : f->columns) {
        auto same = std::find_if(t.columns.begin(), t.columns.end(),
                                 [&](const Column& x) { return x.name == c.name; });
        if (same == t.columns.end() || same->type != c.type || same->collation != c.collation ||
            same->generated != c.generated) {
          tables_altered_.insert(t.identity);
        }
      }
    }
    if (t.kind == ObjectKind::kType && !SameObject(*f, t)) ChangeTypeFirst(*f, t);
  }
  CascadeRecreation();
  for (size_t i = from_.objects.size(); i-- > 0;) {  // in reverse dependency order
    const CatalogObject& f = from_.objects[i];
    if (ToOf(f) == nullptr ? !DroppedLate(f.kind) : Recreated(f)) DropEarly(f);
  }
  for (const CatalogObject& t : to_.objects) {
    const CatalogObject* f = FromOf(t);
    if (f == nullptr || Recreated(*f)) {
      Create(t);
    } else if (!SameObject(*f, t)) {
      Change(*f, t);
    }
  }
  for (size_t i = from_.objects.size(); i-- > 0;) {
    const CatalogObject& f = from_.objects[i];
    if (ToOf(f) == nullptr && DroppedLate(f.kind)) DropLate(f);
  }
  SchemaPlan plan;
  for (auto* phase : {&early_, &main_, &validate_, &after_validate_, &late_}) {
    for (PlanStatement& st : *phase) plan.statements.push_back(std::move(st));
  }
  return plan;
}

}  // namespace internal

std::vector<Hazard> SchemaPlan::hazards() const {
  std::vector<Hazard> out;
  for (const PlanStatement& st : statements)
    out.insert(out.end(), st.hazards.begin(), st.hazards.end());
  return out;
}

SchemaPlan PlanChanges(const Catalog& from, const Catalog& to, const SchemaPlanOptions& o) {
  return internal::PlanBuilder(from, to, o).Build();
}

}  // namespace pgstack::migrate

namespace pgstack::migrate {

std::vector<std::string> Differences(const Catalog& a, const Catalog& b) {
  std::map<internal::ObjectKey, const CatalogObject*> in_b;
  for (const CatalogObject& o : b.objects) in_b[{o.kind, o.identity}] = &o;
  std::vector<std::string> out;
  for (const CatalogObject& o : a.objects) {
    auto it = in_b.find({o.kind, o.identity});
    std::string what = fmt::format("{} {}", ObjectKindName(o.kind), o.identity);
    if (it == in_b.end()) {
      out.push_back(what + ": only in the first");
    } else {
      if (!internal::SameObject(o, *it->second)) out.push_back(what + ": differs");
      in_b.erase(it);
    }
  }
  for (const CatalogObject& o : b.objects) {
    if (in_b.count({o.kind, o.identity})) {
      out.push_back(fmt::format("{} {}: only in the second", ObjectKindName(o.kind), o.identity));
    }
  }
  return out;
}

}  // namespace pgstack::migrate
