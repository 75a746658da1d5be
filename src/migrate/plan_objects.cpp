// Every kind but tables, indexes and constraints: how each is created, changed and dropped.
#include <fmt/format.h>

#include <algorithm>

#include "plan_builder.h"

namespace pgstack::migrate::internal {
namespace {

std::vector<std::string> Lines(const std::string& ddl) {
  std::vector<std::string> out;
  for (size_t at = 0; at < ddl.size();) {
    size_t end = ddl.find('\n', at);
    if (end == std::string::npos) end = ddl.size();
    if (end > at) out.push_back(ddl.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

// The statement that undoes one line of a grant's DDL: a GRANT revoked, a REVOKE (of a default
// privilege) granted back.
std::string Inverse(const std::string& line) {
  std::string body = line.substr(0, line.size() - 1);  // without ';'
  const std::string kOption = " WITH GRANT OPTION";
  if (body.ends_with(kOption)) body.resize(body.size() - kOption.size());
  if (body.starts_with("GRANT ")) {
    size_t to = body.rfind(" TO ");
    return "REVOKE " + body.substr(6, to - 6) + " FROM " + body.substr(to + 4) + " CASCADE;";
  }
  size_t from = body.rfind(" FROM ");
  return "GRANT " + body.substr(7, from - 7) + " TO " + body.substr(from + 6) + ";";
}

bool HasLine(const std::string& ddl, std::string_view line) {
  for (const std::string& l : Lines(ddl)) {
    if (l == line) return true;
  }
  return false;
}

}  // namespace

void PlanBuilder::ChangeTypeFirst(const CatalogObject& from, const CatalogObject& to) {
  if (to.shape == "e") ChangeEnum(from, to);
  if (to.shape == "d" && !SameDomainBase(from, to)) {
    const std::string& base = to.columns.front().type;
    RecreateInUse(to, base,
                  "its base type changes: the domain is recreated and every column of it "
                  "rewritten",
                  "fails if a value does not cast to " + base + " or breaks the domain's rules");
  }
  if (to.shape == "c" && RetypedInUse(from, to)) {
    RecreateInUse(to, "text",
                  "an attribute changes type while columns use the type: it is recreated and "
                  "every column of it rewritten",
                  "fails if an attribute's value does not cast to its new type");
  }
}

bool PlanBuilder::RetypedInUse(const CatalogObject& from, const CatalogObject& to) const {
  if (!TypeInUse(to.identity)) return false;
  for (const Column& c : from.columns) {
    auto now = std::find_if(to.columns.begin(), to.columns.end(),
                            [&](const Column& x) { return x.name == c.name; });
    if (now != to.columns.end() && (now->type != c.type || now->collation != c.collation))
      return true;
  }
  return false;
}

void PlanBuilder::ChangeEnum(const CatalogObject& from, const CatalogObject& to) {
  // Values only added, the old ones in their order: ADD VALUE, each committed before anything
  // can use it.
  std::vector<std::string> kept;
  for (const std::string& l : to.labels) {
    if (std::find(from.labels.begin(), from.labels.end(), l) != from.labels.end())
      kept.push_back(l);
  }
  if (kept != from.labels) {
    RecreateInUse(to, "text",
                  "values removed or reordered: the type is recreated and every column of it "
                  "rewritten",
                  "");
    return;
  }
  for (size_t i = 0; i < to.labels.size(); ++i) {
    const std::string& l = to.labels[i];
    if (std::find(from.labels.begin(), from.labels.end(), l) != from.labels.end()) continue;
    std::string where = i > 0 ? "AFTER " + to.labels[i - 1] : "BEFORE " + to.labels[i + 1];
    PlanStatement st =
        NoTransaction(fmt::format("ALTER TYPE {} ADD VALUE {} {};", to.identity, l, where));
    st.long_running = false;
    main_.push_back(std::move(st));
  }
}

// A type that cannot change in place while columns use it (an enum losing or reordering values,
// a domain changing its base type): a new one under the name, every column moved to it through
// `via` (text; the domain's new base type), and the old one dropped. Views over those columns are
// recreated around it.
void PlanBuilder::RecreateInUse(const CatalogObject& to, const std::string& via,
                                const std::string& why, const std::string& risk) {
  std::string aside = Derived(to.identity.substr(to.identity.find('.') + 1), "_pgstack_old");
  std::string schema = to.identity.substr(0, to.identity.find('.') + 1);
  bool domain = to.shape == "d";
  // What compares the column with a value of the type (a partial index, a check, a policy)
  // would compare it with the old type: recreated after the change.
  for (const CatalogObject& o : from_.objects) {
    bool reads_values = o.kind == ObjectKind::kIndex || o.kind == ObjectKind::kConstraint ||
                        o.kind == ObjectKind::kPolicy || o.kind == ObjectKind::kTrigger;
    if (reads_values && o.ddl.find(to.identity) != std::string::npos) recreated_.insert(o.node);
  }
  PlanStatement rename =
      Sql(fmt::format("ALTER {} {} RENAME TO {};", domain ? "DOMAIN" : "TYPE", to.identity, aside));
  main_.push_back(std::move(WithHazard(rename, HazardKind::kRewritesTable, to.identity, why)));
  main_.push_back(Sql(to.ddl));
  for (const CatalogObject& t : to_.objects) {
    const CatalogObject* f = t.kind == ObjectKind::kTable ? FromOf(t) : nullptr;
    if (f == nullptr) continue;
    for (const Column& c : t.columns) {
      bool array = c.type == to.identity + "[]";
      if (c.type != to.identity && !array) continue;
      auto old = std::find_if(f->columns.begin(), f->columns.end(), [&](const Column& x) {
        return x.name == c.name && x.type == c.type;
      });
      if (old == f->columns.end()) continue;
      tables_altered_.insert(t.identity);
      std::string alter = fmt::format("ALTER TABLE {} ALTER COLUMN {}", t.identity, c.name);
      if (!old->default_expr.empty()) main_.push_back(Sql(alter + " DROP DEFAULT;"));
      PlanStatement st = Sql(fmt::format("{} TYPE {} USING {}::{}{}::{};", alter, c.type, c.name,
                                         via, array ? "[]" : "", c.type));
      st.long_running = true;
      if (!risk.empty())
        WithHazard(st, HazardKind::kDependsOnData, t.identity + "." + c.name, risk);
      main_.push_back(std::move(st));
      if (!c.default_expr.empty()) {
        main_.push_back(Sql(fmt::format("{} SET DEFAULT {};", alter, c.default_expr)));
      }
    }
  }
  main_.push_back(Sql(fmt::format("DROP {} {}{};", domain ? "DOMAIN" : "TYPE", schema, aside)));
  Recomment("type " + to.identity);  // a domain's comment too is "type ..."
}

// Attributes added, dropped or retyped in place: a column of the type keeps its values (NULL
// in a new attribute); retyping an attribute that a column uses is refused by the server.
void PlanBuilder::ChangeComposite(const CatalogObject& from, const CatalogObject& to) {
  auto named = [](const std::vector<Column>& cols, const std::string& name) {
    auto it =
        std::find_if(cols.begin(), cols.end(), [&](const Column& c) { return c.name == name; });
    return it == cols.end() ? nullptr : &*it;
  };
  auto typed = [](const Column& c) {
    return c.type + (c.collation.empty() ? "" : " COLLATE " + c.collation);
  };
  for (const Column& c : from.columns) {
    const Column* t = named(to.columns, c.name);
    if (t == nullptr) {
      PlanStatement st = Sql(fmt::format("ALTER TYPE {} DROP ATTRIBUTE {};", to.identity, c.name));
      main_.push_back(std::move(WithHazard(st, HazardKind::kDeletesData, to.identity + "." + c.name,
                                           "drops the attribute from every value of the type")));
    } else if (typed(*t) != typed(c)) {
      main_.push_back(Sql(fmt::format("ALTER TYPE {} ALTER ATTRIBUTE {} TYPE {};", to.identity,
                                      c.name, typed(*t))));
    }
  }
  for (const Column& c : to.columns) {
    if (named(from.columns, c.name) == nullptr) {
      main_.push_back(
          Sql(fmt::format("ALTER TYPE {} ADD ATTRIBUTE {} {};", to.identity, c.name, typed(c))));
    }
  }
}

std::vector<PlanStatement> PlanBuilder::ChangeRowSecurity(const CatalogObject* from,
                                                          const CatalogObject* to) const {
  const CatalogObject& any = to != nullptr ? *to : *from;
  std::vector<PlanStatement> out;
  for (std::string_view what : {"ENABLE", "FORCE"}) {
    std::string line = fmt::format("ALTER TABLE {} {} ROW LEVEL SECURITY;", any.parent, what);
    bool before = from != nullptr && HasLine(from->ddl, line);
    bool after = to != nullptr && HasLine(to->ddl, line);
    if (before == after) continue;
    std::string undo = what == "ENABLE" ? "DISABLE" : "NO FORCE";
    PlanStatement st =
        Sql(after ? line : fmt::format("ALTER TABLE {} {} ROW LEVEL SECURITY;", any.parent, undo));
    out.push_back(std::move(WithHazard(
        st, HazardKind::kAuthzUpdate, any.parent,
        fmt::format("row-level security {}", after ? what == "ENABLE" ? "enabled" : "forced"
                                             : what == "ENABLE" ? "disabled"
                                                                : "no longer forced"))));
  }
  return out;
}

std::vector<PlanStatement> PlanBuilder::ChangeGrants(const CatalogObject* from,
                                                     const CatalogObject* to) const {
  std::vector<PlanStatement> out;
  const std::string& object = (to != nullptr ? to : from)->parent;
  auto push = [&](std::string sql) {
    PlanStatement st = Sql(std::move(sql));
    out.push_back(std::move(WithHazard(st, HazardKind::kAuthzUpdate, object, "privileges change")));
  };
  if (from != nullptr) {
    for (const std::string& l : Lines(from->ddl)) {
      if (to == nullptr || !HasLine(to->ddl, l)) push(Inverse(l));
    }
  }
  if (to != nullptr) {
    for (const std::string& l : Lines(to->ddl)) {
      if (from == nullptr || !HasLine(from->ddl, l)) push(l);
    }
  }
  return out;
}

PlanStatement PlanBuilder::DropStatement(const CatalogObject& f) const {
  switch (f.kind) {
    case ObjectKind::kView:
      return Sql(fmt::format("DROP {}VIEW {};", f.shape == "m" ? "MATERIALIZED " : "", f.identity));
    case ObjectKind::kTrigger:
      return Sql(fmt::format("DROP TRIGGER {} ON {};", f.name, f.parent));
    case ObjectKind::kPolicy:
      return Sql(fmt::format("DROP POLICY {} ON {};", f.name, f.parent));
    case ObjectKind::kConstraint:
    case ObjectKind::kForeignKey:
      return Sql(fmt::format("ALTER TABLE {} DROP CONSTRAINT {};", f.parent, f.name));
    case ObjectKind::kIndex:
      if (Existing(f.parent) && f.shape != "p") {
        return NoTransaction(fmt::format("DROP INDEX CONCURRENTLY {};", f.identity));
      }
      return Sql(fmt::format("DROP INDEX {};", f.identity));
    case ObjectKind::kTable:
      return Sql(fmt::format("DROP TABLE {};", f.identity));
    case ObjectKind::kFunction:
      return Sql(fmt::format("DROP {} {};", f.shape.starts_with("p") ? "PROCEDURE" : "FUNCTION",
                             f.identity));
    case ObjectKind::kType:
      return Sql(fmt::format("DROP {} {};", f.shape == "d" ? "DOMAIN" : "TYPE", f.identity));
    case ObjectKind::kSequence:
      // A sequence owned by a column goes with its table, which may be dropped first.
      return Sql(fmt::format("DROP SEQUENCE IF EXISTS {};", f.identity));
    case ObjectKind::kSchema:
      return Sql(fmt::format("DROP SCHEMA {};", f.identity));
    case ObjectKind::kExtension:
      return Sql(fmt::format("DROP EXTENSION {};", f.identity));
    case ObjectKind::kComment:
      return Sql(fmt::format("COMMENT ON {} IS NULL;", f.parent));
    case ObjectKind::kSequenceOwner:
      return Sql(fmt::format("ALTER SEQUENCE {} OWNED BY NONE;", f.parent));
    default:
      return Sql("");
  }
}

bool PlanBuilder::OwnerGone(const CatalogObject& f) const {
  auto gone = [&](const CatalogObject* o) {
    return o != nullptr && (ToOf(*o) == nullptr || Recreated(*o));
  };
  if (f.kind == ObjectKind::kComment || f.kind == ObjectKind::kGrant ||
      f.kind == ObjectKind::kSequenceOwner || f.kind == ObjectKind::kOwner) {
    // What it is on: the first node it follows.
    for (const std::string& a : f.after) {
      auto it = from_by_node_.find(a);
      if (it != from_by_node_.end() && gone(it->second)) return true;
    }
    return false;
  }
  for (ObjectKind k : {ObjectKind::kTable, ObjectKind::kView}) {
    auto it = from_by_key_.find({k, f.parent});
    if (!f.parent.empty() && it != from_by_key_.end() && gone(it->second)) return true;
  }
  return false;
}

void PlanBuilder::DropEarly(const CatalogObject& f) {
  if (OwnerGone(f) || ReplacedOnline(f)) return;
  bool removed = ToOf(f) == nullptr;
  if (f.kind == ObjectKind::kGrant || f.kind == ObjectKind::kRowSecurity) {
    if (!removed) return;  // recreated with its object
    auto st =
        f.kind == ObjectKind::kGrant ? ChangeGrants(&f, nullptr) : ChangeRowSecurity(&f, nullptr);
    for (PlanStatement& s : st) early_.push_back(std::move(s));
    return;
  }
  if (!removed && (f.kind == ObjectKind::kComment || f.kind == ObjectKind::kSequenceOwner)) return;
  PlanStatement st = DropStatement(f);
  std::string what = std::string(ObjectKindName(f.kind));
  if (f.kind == ObjectKind::kView && f.shape == "m") {
    if (removed)
      WithHazard(st, HazardKind::kDeletesData, f.identity,
                 "drops the materialized view and its rows");
  } else if (f.kind == ObjectKind::kIndex && removed) {
    WithHazard(st, HazardKind::kIndexDropped, f.identity, "queries that used the index get slower");
  } else if (f.kind == ObjectKind::kPolicy && (removed || !SameObject(f, *ToOf(f)))) {
    WithHazard(st, HazardKind::kAuthzUpdate, f.identity,
               removed ? "drops the policy" : "changes the policy");
  } else if (f.kind == ObjectKind::kTable) {
    WithHazard(st, HazardKind::kDeletesData, f.identity,
               "its partitioning changes: the table is dropped with its rows and created again");
  } else if ((f.kind == ObjectKind::kView || f.kind == ObjectKind::kTrigger) && removed) {
    WithHazard(st, HazardKind::kBreaksRunningCode, f.identity, "drops the " + what);
  } else if (f.kind == ObjectKind::kFunction || f.kind == ObjectKind::kType) {
    WithHazard(st, HazardKind::kBreaksRunningCode, f.identity,
               "its signature or kind changes: it is dropped and created again");
  }
  if (f.kind == ObjectKind::kFunction && !removed) LetGoOf(f);
  early_.push_back(std::move(st));
}

void PlanBuilder::DropLate(const CatalogObject& f) {
  PlanStatement st = DropStatement(f);
  if (f.kind == ObjectKind::kTable) {
    WithHazard(st, HazardKind::kDeletesData, f.identity,
               "drops the table and its rows" + LikelyTableRename(f));
  } else if (f.kind == ObjectKind::kSchema) {
    WithHazard(st, HazardKind::kDeletesData, f.identity, "drops the schema");
  } else {
    WithHazard(st, HazardKind::kBreaksRunningCode, f.identity,
               "drops the " + std::string(ObjectKindName(f.kind)));
  }
  late_.push_back(std::move(st));
}

void PlanBuilder::CreatePlain(const CatalogObject& t) {
  const CatalogObject* f = FromOf(t);
  bool same = f != nullptr && SameObject(*f, t);  // recreated around a change of another
  if (t.kind == ObjectKind::kGrant || t.kind == ObjectKind::kRowSecurity) {
    auto st =
        t.kind == ObjectKind::kGrant ? ChangeGrants(nullptr, &t) : ChangeRowSecurity(nullptr, &t);
    for (PlanStatement& s : st) {
      if (same) s.hazards.clear();
      main_.push_back(std::move(s));
    }
    return;
  }
  PlanStatement st = Sql(t.ddl);
  st.long_running = t.kind == ObjectKind::kView && t.shape == "m";
  if (t.kind == ObjectKind::kPolicy && !same) {
    WithHazard(st, HazardKind::kAuthzUpdate, t.identity,
               f == nullptr ? "a new policy" : "changes the policy");
  }
  main_.push_back(std::move(st));
}

void PlanBuilder::Recomment(const std::string& comment_identity) {
  auto it = to_by_key_.find({ObjectKind::kComment, comment_identity});
  if (it != to_by_key_.end()) main_.push_back(Sql(it->second->ddl));
}

void PlanBuilder::Create(const CatalogObject& t) {
  const CatalogObject* f = FromOf(t);
  bool existing_table = Existing(t.parent);
  if (t.kind == ObjectKind::kIndex && existing_table) {
    CreateIndex(t);
  } else if (f != nullptr && ReplacedOnline(*f)) {
    if (!AddUniqueUsingIndex(t, true)) {
      main_.push_back(Sql(fmt::format("ALTER TABLE {} DROP CONSTRAINT {};", f->parent, f->name)));
      AddConstraint(t);
    }
  } else if ((t.kind == ObjectKind::kConstraint || t.kind == ObjectKind::kForeignKey) &&
             existing_table) {
    AddConstraint(t);
  } else {
    CreatePlain(t);
    if (t.kind == ObjectKind::kFunction && f != nullptr) TakeBack(*f);
  }
}

void PlanBuilder::Change(const CatalogObject& f, const CatalogObject& t) {
  switch (t.kind) {
    case ObjectKind::kTable:
      ChangeTable(f, t);
      return;
    case ObjectKind::kType:
      // Enums: ChangeEnum, before the rest; domains of another base type are recreated.
      if (t.shape == "c" && !RetypedInUse(f, t)) ChangeComposite(f, t);  // else RecreateInUse
      if (t.shape == "d" && SameDomainBase(f, t)) ChangeDomain(f, t);    // else RecreateInUse
      return;
    case ObjectKind::kIndex:
      ReplaceIndex(t);
      return;
    case ObjectKind::kSequence: {
      // CREATE [UNLOGGED] SEQUENCE s AS ... takes the same options as ALTER SEQUENCE s.
      std::string sql = t.ddl;
      sql.replace(0, sql.find("SEQUENCE ") + 9, "ALTER SEQUENCE ");
      main_.push_back(Sql(sql));
      bool unlogged = t.ddl.starts_with("CREATE UNLOGGED");
      if (unlogged != f.ddl.starts_with("CREATE UNLOGGED")) {
        main_.push_back(Sql(fmt::format("ALTER SEQUENCE {} SET {};", t.identity,
                                        unlogged ? "UNLOGGED" : "LOGGED")));
      }
      return;
    }
    case ObjectKind::kExtension:
      main_.push_back(Sql(fmt::format("ALTER EXTENSION {} UPDATE TO '{}';", t.identity, t.shape)));
      return;
    case ObjectKind::kOwner:
      main_.push_back(Sql(t.ddl));
      WithHazard(main_.back(), HazardKind::kAuthzUpdate, t.parent,
                 fmt::format("the owner changes: {}", t.ddl));
      return;
    case ObjectKind::kGrant:
    case ObjectKind::kRowSecurity:
      for (PlanStatement& s :
           t.kind == ObjectKind::kGrant ? ChangeGrants(&f, &t) : ChangeRowSecurity(&f, &t)) {
        main_.push_back(std::move(s));
      }
      return;
    default:
      // Functions (same signature: CREATE OR REPLACE), comments, OWNED BY: the DDL replaces.
      main_.push_back(Sql(t.ddl));
      return;
  }
}

}  // namespace pgstack::migrate::internal
