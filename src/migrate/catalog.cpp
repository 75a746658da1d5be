#include "pgstack/migrate/catalog.h"

#include <fmt/format.h>

#include <algorithm>
#include <future>
#include <optional>
#include <span>
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

// The texts of one read, in the order Assemble takes their results: the node map, pg_depend, one
// query per kind (CatalogQueries), then the details (ReadDetails' four).
struct ReadPlan {
  std::vector<std::string> sql;
  std::vector<ObjectKind> kinds;  // of sql[2 ..], one per kind query
};

constexpr size_t kKindsFrom = 2;

ReadPlan PlanRead(pg::Connection& conn, const CatalogFilter& filter) {
  ReadPlan p;
  p.sql = {std::string(internal::kNodeMapSql), std::string(internal::kDependsSql)};
  std::string ns = SchemaCondition(conn, filter);
  for (const internal::KindSql& q : internal::CatalogQueries()) {
    if (q.kind == ObjectKind::kOwner && !filter.owners) continue;
    p.sql.push_back(fmt::format(fmt::runtime(q.sql), fmt::arg("ns", ns)));
    p.kinds.push_back(q.kind);
  }
  for (std::string_view d : {internal::kColumnsSql, internal::kDomainsSql, internal::kEnumLabelsSql,
                             internal::kDomainChecksSql}) {
    p.sql.emplace_back(d);
  }
  return p;
}

// Runs sql[from, to) on conn in order, into results; a signal stops it between queries.
Status Fetch(pg::Connection& conn, const std::vector<std::string>& sql, size_t from, size_t to,
             std::vector<Result<pg::QueryResult>>& results) {
  for (size_t i = from; i < to; ++i) {
    PGSTACK_RETURN_IF_ERROR(core::CheckInterrupt());
    results[i] = conn.Exec(sql[i]);
    if (!results[i].ok()) return results[i].status();
  }
  return Status::Ok();
}

NodeMap ReadNodeMap(const pg::QueryResult& r) {
  NodeMap map;
  map.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) map.emplace(Key(r.get(i, 0), r.get(i, 1)), r.get(i, 2));
  return map;
}

// node -> nodes it depends on, from pg_depend's normal dependencies.
std::unordered_map<std::string, std::vector<std::string>> ReadDepends(const pg::QueryResult& r,
                                                                      const NodeMap& map) {
  std::unordered_map<std::string, std::vector<std::string>> out;
  for (int i = 0; i < r.rows(); ++i) {
    std::string from = NodeOf(map, Key(r.get(i, 0), r.get(i, 1)));
    std::string to = NodeOf(map, Key(r.get(i, 2), r.get(i, 3)));
    if (from != to) out[from].push_back(std::move(to));
  }
  return out;
}

void ReadObjects(ObjectKind kind, const pg::QueryResult& r, const NodeMap& map,
                 std::vector<CatalogObject>& out) {
  for (int i = 0; i < r.rows(); ++i) {
    CatalogObject o{.kind = kind,
                    .node = std::string(r.get(i, 0)),
                    .schema = std::string(r.get(i, 1)),
                    .identity = std::string(r.get(i, 2)),
                    .ddl = std::string(r.get(i, 3)),
                    .after = {}};
    for (const std::string& a : TextArray(r.get(i, 4))) o.after.push_back(NodeOf(map, a));
    if (r.columns() > 7) {
      o.parent = r.get(i, 5);
      o.name = r.get(i, 6);
      o.shape = r.get(i, 7);
    }
    out.push_back(std::move(o));
  }
}

// The columns of tables and composite types, the base of domains (a nameless column), the values
// of enums and the checks of domains (the four results of PlanRead's details), onto the objects of
// their nodes.
void ReadDetails(std::span<const Result<pg::QueryResult>> details,
                 std::vector<CatalogObject>& objects) {
  std::unordered_map<std::string, CatalogObject*> by_node;
  for (CatalogObject& o : objects) {
    if (o.kind == ObjectKind::kTable || o.kind == ObjectKind::kType) by_node.emplace(o.node, &o);
  }
  const pg::QueryResult& cols = *details[0];
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
  const pg::QueryResult& domains = *details[1];
  for (int i = 0; i < domains.rows(); ++i) {
    auto it = by_node.find(std::string(domains.get(i, 0)));
    if (it == by_node.end()) continue;
    it->second->columns.push_back({.type = std::string(domains.get(i, 1)),
                                   .collation = std::string(domains.get(i, 2)),
                                   .default_expr = std::string(domains.get(i, 3)),
                                   .not_null = domains.get(i, 4) == "t"});
  }
  // An enum's values, a domain's checks.
  for (const Result<pg::QueryResult>& labels : details.subspan(2)) {
    for (int i = 0; i < labels->rows(); ++i) {
      auto it = by_node.find(std::string(labels->get(i, 0)));
      if (it != by_node.end()) it->second->labels.emplace_back(labels->get(i, 1));
    }
  }
}

// The catalog from the results of every query of p, all of them ok.
Catalog Assemble(const ReadPlan& p, const std::vector<Result<pg::QueryResult>>& results) {
  NodeMap map = ReadNodeMap(*results[0]);
  auto depends = ReadDepends(*results[1], map);
  Catalog c;
  for (size_t k = 0; k < p.kinds.size(); ++k) {
    ReadObjects(p.kinds[k], *results[kKindsFrom + k], map, c.objects);
  }
  ReadDetails(std::span(results).subspan(kKindsFrom + p.kinds.size()), c.objects);
  for (CatalogObject& o : c.objects) {
    auto it = depends.find(o.node);
    if (it != depends.end()) o.after.insert(o.after.end(), it->second.begin(), it->second.end());
  }
  OrderObjects(c.objects);
  return c;
}

// The first failed query's error, with the kind it was reading when it was a kind's query.
Status ReadFailed(const ReadPlan& p, const std::vector<Result<pg::QueryResult>>& results) {
  for (size_t i = 0; i < results.size(); ++i) {
    if (results[i].ok()) continue;
    if (i < kKindsFrom || i >= kKindsFrom + p.kinds.size()) return results[i].status();
    return Status::Failure(fmt::format("reading the catalog's {}s: {}",
                                       ObjectKindName(p.kinds[i - kKindsFrom]),
                                       results[i].status().message()));
  }
  return Status::Ok();
}

// Where a helper connection takes over: the kinds from constraints on, and the details. Each
// half is about half of a read of a schema of tables with their indexes (the node map and the
// tables, against the indexes and the columns).
size_t HelperFrom(const ReadPlan& p) {
  auto it = std::find_if(p.kinds.begin(), p.kinds.end(),
                         [](ObjectKind k) { return k >= ObjectKind::kConstraint; });
  return kKindsFrom + static_cast<size_t>(it - p.kinds.begin());
}

// Opens a read-only transaction on helper that sees what conn's (open, repeatable read) sees.
Result<pg::Transaction> ShareSnapshot(pg::Connection& conn, pg::Connection& helper) {
  PGSTACK_ASSIGN_OR_RETURN(pg::QueryResult snapshot, conn.Exec("SELECT pg_export_snapshot()"));
  PGSTACK_ASSIGN_OR_RETURN(
      pg::Transaction tx,
      pg::Transaction::Begin(
          helper,
          {.isolation = pg::TransactionOptions::Isolation::kRepeatableRead, .read_only = true}));
  PGSTACK_RETURN_IF_ERROR(
      helper.Run(fmt::format("SET TRANSACTION SNAPSHOT {}; SET LOCAL search_path = ''",
                             conn.QuoteLiteral(snapshot.scalar()))));
  return tx;
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

Result<Catalog> ReadCatalog(pg::Connection& conn, const CatalogFilter& filter,
                            pg::Connection* helper) {
  // One snapshot for every read: the catalog as it was at one moment.
  PGSTACK_ASSIGN_OR_RETURN(
      pg::Transaction tx,
      pg::Transaction::Begin(conn, {.isolation = pg::TransactionOptions::Isolation::kRepeatableRead,
                                    .read_only = true}));
  auto read = [&]() -> Result<Catalog> {
    PGSTACK_RETURN_IF_ERROR(conn.Run("SET LOCAL search_path = ''"));
    ReadPlan p = PlanRead(conn, filter);
    std::vector<Result<pg::QueryResult>> results;
    results.reserve(p.sql.size());
    for (size_t i = 0; i < p.sql.size(); ++i) results.emplace_back(pg::QueryResult());
    size_t split = p.sql.size();
    std::optional<pg::Transaction> helper_tx;  // rolled back after the fetch below has joined
    std::future<Status> second;
    if (helper != nullptr) {
      PGSTACK_ASSIGN_OR_RETURN(pg::Transaction shared, ShareSnapshot(conn, *helper));
      helper_tx.emplace(std::move(shared));
      split = HelperFrom(p);
      second = std::async(std::launch::async,
                          [&] { return Fetch(*helper, p.sql, split, p.sql.size(), results); });
    }
    Status first = Fetch(conn, p.sql, 0, split, results);
    Status other = second.valid() ? second.get() : Status::Ok();
    for (const Status& s : {first, other}) {
      if (core::IsInterruption(s)) return s;
    }
    if (!first.ok() || !other.ok()) return ReadFailed(p, results);
    return Assemble(p, results);
  };
  Result<Catalog> out = read();
  // Read only: ending it either way changes nothing.
  Status end = tx.Rollback();
  if (out.ok() && !end.ok()) return end;
  return out;
}

}  // namespace pgstack::migrate
