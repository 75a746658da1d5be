// The catalog queries of ReadCatalog, one per kind of object. Each returns rows of (node,
// schema, identity, ddl, after[, parent, name, shape]): after is a text[] of the nodes the object
// must follow besides what pg_depend says (its table, its parent partition, ...); the last three,
// where a kind has them, are CatalogObject's fields of the same names.
#pragma once

#include <span>
#include <string_view>

#include "pgstack/migrate/catalog.h"

namespace pgstack::migrate::internal {

struct KindSql {
  ObjectKind kind;
  // {ns} stands for the condition on the schema's name (n.nspname); {user} for "not an object of
  // an extension" as a condition on (classid, objid) that the query fills in with {user}(...).
  std::string_view sql;
};

std::span<const KindSql> CatalogQueries();

// (classid, objid, node): which node of the graph each catalog row belongs to (an attrdef to its
// table, an index behind a constraint to that constraint, an extension's member to the
// extension, ...). Only objects created after initdb (oid >= 16384).
extern const std::string_view kNodeMapSql;
// (table node, name, type, collation, default, generated, identity, identity options, not
// null) of every column of every user table and every attribute of every composite type (its
// node: the type's), in column order: the fields of Column.
extern const std::string_view kColumnsSql;
// (type node, quoted label) of every enum's values, in their order.
extern const std::string_view kEnumLabelsSql;
// (type node, base type, collation when not the base type's, default, not null) of every domain.
extern const std::string_view kDomainsSql;
// (type node, quoted name '\x1f' definition) of every domain's checks, by name.
extern const std::string_view kDomainChecksSql;
// (classid, objid, refclassid, refobjid) of the normal dependencies between such objects.
extern const std::string_view kDependsSql;

}  // namespace pgstack::migrate::internal
