// A schema as the server's catalog holds it: one object per thing a migration creates (schema,
// extension, type, sequence, function, table, constraint, index, view, trigger, row-level
// security, policy, comment, grants), each with the DDL that creates it, built by the server's
// own pg_get_*def functions, and the objects it must follow (from pg_depend). `migrate dump`
// writes it; `migrate diff` compares two of them.
//
// Not part of it: objects that belong to an extension (they are the extension's), pgstack's own
// schema, the history tables of the five migration formats, grantors, and owners unless asked
// (CatalogFilter::owners).
#pragma once

#include <string>
#include <vector>

#include "pgstack/core/status.h"
#include "pgstack/pg/connection.h"

namespace pgstack::migrate {

// The kinds, in the order DDL creates them when nothing else decides: a schema before what it
// holds, a table before its constraints, every table before the foreign keys between them.
enum class ObjectKind {
  kSchema,
  kExtension,
  kType,  // enum, composite or domain
  kSequence,
  kFunction,  // functions and procedures
  kTable,
  kSequenceOwner,  // ALTER SEQUENCE ... OWNED BY
  kConstraint,     // primary key, unique, check, exclusion
  kIndex,
  kView,  // views and materialized views
  kForeignKey,
  kTrigger,
  kRowSecurity,  // ENABLE / FORCE ROW LEVEL SECURITY
  kPolicy,
  kComment,
  kGrant,
  kOwner,  // ALTER ... OWNER TO, of schemas, tables, views, sequences, functions and types
};
std::string_view ObjectKindName(ObjectKind k);  // "schema", "foreign key", ...

// A table's column, as `migrate diff` compares it (each field as SQL, "" when absent).
struct Column {
  std::string name;       // quoted
  std::string type;       // format_type
  std::string collation;  // qualified and quoted, when not the type's own
  std::string default_expr;
  std::string generated;         // the expression of GENERATED ALWAYS AS (...) STORED
  std::string identity;          // "ALWAYS" or "BY DEFAULT"
  std::string identity_options;  // "(SEQUENCE NAME ... )"
  bool not_null = false;

  bool operator==(const Column&) const = default;
};

struct CatalogObject {
  ObjectKind kind = ObjectKind::kTable;
  std::string node;      // its identity in the dependency graph ("pg_class:16390")
  std::string schema;    // the schema it lives in (its own name for a schema)
  std::string identity;  // schema-qualified and quoted ("public.orders", "public.f(integer)")
  std::string ddl;       // the statements that create it, each ending with ';'
  std::vector<std::string> after;  // nodes it must follow
  // What it belongs to, as SQL: a constraint's, index's, trigger's, policy's or row security's
  // table ("public.orders"); a comment's, grant's or owner's object ("TABLE public.orders"); an
  // owned sequence's sequence. "" for the others.
  std::string parent;
  std::string name;  // its own quoted name where DDL names it apart from its table
  // What decides whether it can change in place, by kind: a table's persistence (its first
  // character), then relkind, partition bound, partition key and storage options, separated by
  // '\x1f'; a function's result and argument names; a constraint's type (p, u, c, x); a
  // view's relkind (v, m); a type's typtype (e, d, c); an extension's version; an index's
  // table relkind (r, p).
  std::string shape;
  // A table's columns (not a partition's: its parent's), a composite type's attributes; a
  // domain's one nameless column (its base type, collation, default and NOT NULL).
  std::vector<Column> columns;
  // An enum's values, as quoted literals, in order; a domain's checks, each its quoted name,
  // '\x1f' and its definition ("CHECK (...)"), by name.
  std::vector<std::string> labels;
};

struct Catalog {
  std::vector<CatalogObject> objects;  // in dependency order (OrderObjects)
};

struct CatalogFilter {
  std::vector<std::string> schemas;          // only these (all when empty)
  std::vector<std::string> exclude_schemas;  // never these
  // Each object's owner as an object of its own (kOwner). A sequence that belongs to a column
  // (serial or identity) has none: it follows its table's.
  bool owners = false;
};

// Reads the catalog of conn's database in one read-only transaction with an empty search_path,
// so that every name in the DDL is schema-qualified and the text does not depend on the session.
// With a helper (another connection to the same database, in no transaction) half of the queries
// run there at once, in a transaction of the same snapshot: the same catalog, in about half the
// time on an idle server with two cores or more.
Result<Catalog> ReadCatalog(pg::Connection& conn, const CatalogFilter& filter = {},
                            pg::Connection* helper = nullptr);

// Sorts objects so that each comes after the objects it names in `after` (unknown nodes are
// ignored), ties broken by kind, schema and identity: the same objects always come out in the
// same order. A cycle (which PostgreSQL's own dump breaks by splitting objects) is broken at its
// first object by that order.
void OrderObjects(std::vector<CatalogObject>& objects);

}  // namespace pgstack::migrate
