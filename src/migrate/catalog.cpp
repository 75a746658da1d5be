#include "pgstack/migrate/catalog.h"

#include <fmt/format.h>

#include <unordered_map>

#include "catalog_queries.h"
#include "pgstack/core/interrupt.h"
#include "pgstack/pg/transaction.h"

namespace pgstack::migrate {
namespace {

using NodeMap = std::unordered_map<std::string, std::string>;  // "class:oid" -> node

std::string SchemaCondition(pg::Connection& conn, const CatalogFilter& f) {
  std::string out =
      "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgstack') AND n.nspname NOT LIKE "
      "'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'";
  auto list = [&](const std::vector<std::string>& names) {
    std::string l;
    for (const std::string& s : names) l += (l.empty() ? "" : ", ") + conn.QuoteLiteral(s);
    return l;
  };
  if (!f.schemas.empty()) out += " AND n.nspname IN (" + list(f.schemas) + ")";
  if (!f.exclude_schemas.empty()) out += " AND n.nspname NOT IN (" + list(f.exclude_schemas) + ")";
  return out;
}

// A text[] as the server prints it ({a,b}): node names hold no comma, quote or brace.
std::vector<std::string> TextArray(std::string_view text) {
  std::vector<std::string> out;
  if (text.size() < 2) return out;
  text = text.substr(1, text.size() - 2);
  while (!text.empty()) {
    size_t comma = text.find(',');
    out.emplace_back(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::string Key(std::string_view cls, std::string_view oid) {
  return fmt::format("{}:{}", cls, oid);
}

std::string NodeOf(const NodeMap& map, const std::string& key) {
  auto it = map.find(key);
  return it == map.end() ? key : it->second;
}

Result<NodeMap> ReadNodeMap(pg::Connection& conn) {
  PGSTACK_ASSIGN_OR_RETURN(pg::QueryResult r, conn.Exec(internal::kNodeMapSql));
  NodeMap map;
  map.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) map.emplace(Key(r.get(i, 0), r.get(i, 1)), r.get(i, 2));
  return map;
}

// node -> nodes it depends on, from pg_depend's normal dependencies.
Result<std::unordered_map<std::string, std::vector<std::string>>> ReadDepends(pg::Connection& conn,
                                                                              const NodeMap& map) {
  PGSTACK_ASSIGN_OR_RETURN(pg::QueryResult r, conn.Exec(internal::kDependsSql));
  std::unordered_map<std::string, std::vector<std::string>> out;
  for (int i = 0; i < r.rows(); ++i) {
    std::string from = NodeOf(map, Key(r.get(i, 0), r.get(i, 1)));
    std::string to = NodeOf(map, Key(r.get(i, 2), r.get(i, 3)));
    if (from != to) out[from].push_back(std::move(to));
  }
  return out;
}

Status ReadObjects(pg::Connection& conn, const CatalogFilter& filter, const NodeMap& map,
                   std::vector<CatalogObject>& out) {
  std::string ns = SchemaCondition(conn, filter);
  for (const internal::KindSql& q : internal::CatalogQueries()) {
    if (q.kind == ObjectKind::kOwner && !filter.owners) continue;
    PGSTACK_RETURN_IF_ERROR(core::CheckInterrupt());
    std::string sql = fmt::format(fmt::runtime(q.sql), fmt::arg("ns", ns));
    auto r = conn.Exec(sql);
    if (!r.ok()) {
      return Status::Failure(fmt::format("reading the catalog's {}s: {}", ObjectKindName(q.kind),
                                         r.status().message()));
    }
    for (int i = 0; i < r->rows(); ++i) {
      CatalogObject o{.kind = q.kind,
                      .node = std::string(r->get(i, 0)),
                      .schema = std::string(r->get(i, 1)),
                      .identity = std::string(r->get(i, 2)),
                      .ddl = std::string(r->get(i, 3)),
                      .after = {}};
      for (const std::string& a : TextArray(r->get(i, 4))) o.after.push_back(NodeOf(map, a));
      if (r->columns() > 7) {
        o.parent = r->get(i, 5);
        o.name = r->get(i, 6);
        o.shape = r->get(i, 7);
      }
      out.push_back(std::move(o));
    }
  }
  return Status::Ok();
}

// The columns of tables and composite types, the base of domains (a nameless column), the values
// of enums and the checks of domains, onto the objects of their nodes.
Status ReadDetails(pg::Connection& conn, std::vector<CatalogObject>& objects) {
  std::unordered_map<std::string, CatalogObject*> by_node;
  for (CatalogObject& o : objects) {
    if (o.kind == ObjectKind::kTable || o.kind == ObjectKind::kType) by_node.emplace(o.node, &o);
  }
  PGSTACK_RETURN_IF_ERROR(core::CheckInterrupt());
  PGSTACK_ASSIGN_OR_RETURN(pg::QueryResult cols, conn.Exec(internal::kColumnsSql));
  for (int i = 0; i < cols.rows(); ++i) {
    auto it = by_node.find(std::string(cols.get(i, 0)));
    if (it == by_node.end()) continue;
    it->second->columns.push_back({.name = std::string(cols.get(i, 1)),
                                   .type = std::string(cols.get(i, 2)),
                                   .collation = std::string(cols.get(i, 3)),
                                   .default_expr = std::string(cols.get(i, 4)),
                                   .generated = std::string(cols.get(i, 5)),
                                   .identity = std::string(cols.get(i, 6)),
                                   .identity_options = std::string(cols.get(i, 7)),
                                   .not_null = cols.get(i, 8) == "t"});
  }
  PGSTACK_ASSIGN_OR_RETURN(pg::QueryResult domains, conn.Exec(internal::kDomainsSql));
  for (int i = 0; i < domains.rows(); ++i) {
    auto it = by_node.find(std::string(domains.get(i, 0)));
    if (it == by_node.end()) continue;
    it->second->columns.push_back({.type = std::string(domains.get(i, 1)),
                                   .collation = std::string(domains.get(i, 2)),
                                   .default_expr = std::string(domains.get(i, 3)),
                                   .not_null = domains.get(i, 4) == "t"});
  }
  // An enum's values, a domain's checks.
  for (std::string_view sql : {internal::kEnumLabelsSql, internal::kDomainChecksSql}) {
    PGSTACK_ASSIGN_OR_RETURN(pg::QueryResult labels, conn.Exec(sql));
    for (int i = 0; i < labels.rows(); ++i) {
      auto it = by_node.find(std::string(labels.get(i, 0)));
      if (it != by_node.end()) it->second->labels.emplace_back(labels.get(i, 1));
    }
  }
  return Status::Ok();
}

}  // namespace

std::string_view ObjectKindName(ObjectKind k) {
  // In ObjectKind's order.
  static constexpr std::string_view kNames[] = {
      "schema",         "extension",  "type",    "sequence", "function",    "table",
      "sequence owner", "constraint", "index",   "view",     "foreign key", "trigger",
      "row security",   "policy",     "comment", "grant",    "owner"};
  static_assert(std::size(kNames) == static_cast<size_t>(ObjectKind::kOwner) + 1);
  return kNames[static_cast<size_t>(k)];
}

Result<Catalog> ReadCatalog(pg::Connection& conn, const CatalogFilter& filter) {
  // One snapshot for every read: the catalog as it was at one moment.
  PGSTACK_ASSIGN_OR_RETURN(
      pg::Transaction tx,
      pg::Transaction::Begin(conn, {.isolation = pg::TransactionOptions::Isolation::kRepeatableRead,
                                    .read_only = true}));
  auto read = [&]() -> Result<Catalog> {
    PGSTACK_RETURN_IF_ERROR(conn.Run("SET LOCAL search_path = ''"));
    PGSTACK_ASSIGN_OR_RETURN(NodeMap map, ReadNodeMap(conn));
    PGSTACK_ASSIGN_OR_RETURN(auto depends, ReadDepends(conn, map));
    Catalog c;
    PGSTACK_RETURN_IF_ERROR(ReadObjects(conn, filter, map, c.objects));
    PGSTACK_RETURN_IF_ERROR(ReadDetails(conn, c.objects));
    for (CatalogObject& o : c.objects) {
      auto it = depends.find(o.node);
      if (it != depends.end()) o.after.insert(o.after.end(), it->second.begin(), it->second.end());
    }
    OrderObjects(c.objects);
    return c;
  };
  Result<Catalog> out = read();
  // Read only: ending it either way changes nothing.
  Status end = tx.Rollback();
  if (out.ok() && !end.ok()) return end;
  return out;
}

}  // namespace pgstack::migrate
