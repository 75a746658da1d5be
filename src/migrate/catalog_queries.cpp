#include "catalog_queries.h"

namespace pgstack::migrate::internal {
namespace {

// The history tables of the five formats besides pgstack's own schema: golang-migrate and dbmate
// (schema_migrations), Flyway, sqlx and diesel.
#define PGSTACK_HISTORY_TABLES                                          \
  "('schema_migrations', 'flyway_schema_history', '_sqlx_migrations', " \
  "'__diesel_schema_migrations')"

// "Not a member of an extension", for a catalog row (class, oid).
#define PGSTACK_NOT_EXT(cls, oid)                                 \
  "NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '" cls \
  "'::regclass AND "                                              \
  "e.objid = " oid " AND e.deptype = 'e')"

// A relation's qualified name.
#define PGSTACK_REL "format('%I.%I', n.nspname, c.relname)"

constexpr KindSql kQueries[] = {
    {ObjectKind::kSchema,
     "SELECT 'pg_namespace:' || n.oid, n.nspname, quote_ident(n.nspname), "
     "format('CREATE SCHEMA IF NOT EXISTS %I;', n.nspname), ARRAY[]::text[] "
     "FROM pg_namespace n WHERE {ns} AND " PGSTACK_NOT_EXT("pg_namespace", "n.oid")},
    {ObjectKind::kExtension,
     "SELECT 'pg_extension:' || x.oid, n.nspname, quote_ident(x.extname), "
     "format('CREATE EXTENSION IF NOT EXISTS %I WITH SCHEMA %I VERSION %L;', x.extname, "
     "n.nspname, x.extversion), ARRAY['pg_namespace:' || n.oid], '', quote_ident(x.extname), "
     "x.extversion "
     "FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace "
     "WHERE x.extname <> 'plpgsql' AND (n.nspname = 'public' OR {ns})"},
    {ObjectKind::kType,
     "SELECT 'pg_type:' || t.oid, n.nspname, format('%I.%I', n.nspname, t.typname), "
     "CASE t.typtype "
     "WHEN 'e' THEN format('CREATE TYPE %I.%I AS ENUM (%s);', n.nspname, t.typname, "
     "  (SELECT string_agg(quote_literal(l.enumlabel), ', ' ORDER BY l.enumsortorder) "
     "   FROM pg_enum l WHERE l.enumtypid = t.oid)) "
     "WHEN 'd' THEN format('CREATE DOMAIN %I.%I AS %s%s%s%s%s;', n.nspname, t.typname, "
     "  format_type(t.typbasetype, t.typtypmod), "
     "  CASE WHEN t.typcollation <> bt.typcollation THEN ' COLLATE ' || (SELECT format('%I.%I', "
     "   cn.nspname, co.collname) FROM pg_collation co JOIN pg_namespace cn ON cn.oid = "
     "   co.collnamespace WHERE co.oid = t.typcollation) ELSE '' END, "
     "  coalesce(' DEFAULT ' || t.typdefault, ''), CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE "
     "  '' END, coalesce((SELECT string_agg(format(' CONSTRAINT %I %s', k.conname, "
     "   pg_get_constraintdef(k.oid)), '' ORDER BY k.conname) FROM pg_constraint k "
     "   WHERE k.contypid = t.oid AND k.contype = 'c'), '')) "
     "ELSE format('CREATE TYPE %I.%I AS (%s);', n.nspname, t.typname, "
     "  (SELECT string_agg(format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod)), "
     "   ', ' ORDER BY a.attnum) FROM pg_attribute a WHERE a.attrelid = t.typrelid AND "
     "   a.attnum > 0 AND NOT a.attisdropped)) END, "
     "ARRAY['pg_namespace:' || n.oid], '', '', t.typtype::text "
     "FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
     "LEFT JOIN pg_type bt ON bt.oid = t.typbasetype "
     "WHERE {ns} AND (t.typtype IN ('e', 'd') OR (t.typtype = 'c' AND (SELECT relkind FROM "
     "pg_class WHERE oid = t.typrelid) = 'c')) AND " PGSTACK_NOT_EXT("pg_type", "t.oid")},
    {ObjectKind::kSequence,
     "SELECT 'pg_class:' || c.oid, n.nspname, " PGSTACK_REL ", "
     "format('CREATE %sSEQUENCE %I.%I AS %s INCREMENT BY %s MINVALUE %s MAXVALUE %s START WITH "
     "%s CACHE %s%s;', CASE c.relpersistence WHEN 'u' THEN 'UNLOGGED ' ELSE '' END, n.nspname, "
     "c.relname, format_type(s.seqtypid, NULL), s.seqincrement, s.seqmin, s.seqmax, s.seqstart, "
     "s.seqcache, CASE WHEN s.seqcycle THEN ' CYCLE' ELSE ' NO CYCLE' END), "
     "ARRAY['pg_namespace:' || n.oid] "
     "FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid "
     "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {ns} AND " PGSTACK_NOT_EXT(
         "pg_class", "c.oid") " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = "
                              "'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'i')"},
    {ObjectKind::kFunction,
     "SELECT 'pg_proc:' || p.oid, n.nspname, format('%I.%I(%s)', n.nspname, p.proname, "
     "pg_get_function_identity_arguments(p.oid)), rtrim(pg_get_functiondef(p.oid), E'\\n') || "
     "';', ARRAY['pg_namespace:' || n.oid], '', '', p.prokind::text || ' ' || "
     "coalesce(pg_get_function_result(p.oid), '') || ' ' || pg_get_function_arguments(p.oid) "
     "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
     "WHERE {ns} AND p.prokind IN ('f', 'p') AND " PGSTACK_NOT_EXT("pg_proc", "p.oid")},
    {ObjectKind::kTable,
     "SELECT 'pg_class:' || c.oid, n.nspname, " PGSTACK_REL ", "
     "format('CREATE %sTABLE %I.%I %s%s%s;', "
     "CASE c.relpersistence WHEN 'u' THEN 'UNLOGGED ' ELSE '' END, n.nspname, c.relname, "
     "CASE WHEN c.relispartition THEN (SELECT format('PARTITION OF %I.%I ', pn.nspname, "
     " pc.relname) FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent JOIN "
     " pg_namespace pn ON pn.oid = pc.relnamespace WHERE i.inhrelid = c.oid) || "
     " pg_get_expr(c.relpartbound, c.oid) "
     "ELSE '(' || coalesce((SELECT string_agg(format('%I %s', a.attname, format_type(a.atttypid, "
     " a.atttypmod)) || CASE WHEN a.attcollation <> ty.typcollation THEN ' COLLATE ' || (SELECT "
     " format('%I.%I', cn.nspname, co.collname) FROM pg_collation co JOIN pg_namespace cn ON "
     " cn.oid = co.collnamespace WHERE co.oid = a.attcollation) ELSE '' END || CASE WHEN "
     " a.attgenerated = 's' THEN ' GENERATED ALWAYS AS (' || pg_get_expr(ad.adbin, ad.adrelid) "
     " || ') STORED' WHEN ad.adbin IS NOT NULL THEN ' DEFAULT ' || pg_get_expr(ad.adbin, "
     " ad.adrelid) ELSE '' END || CASE WHEN a.attidentity <> '' THEN (SELECT format(' GENERATED %s "
     "AS IDENTITY (SEQUENCE NAME %I.%I INCREMENT BY %s MINVALUE %s MAXVALUE %s START WITH %s "
     "CACHE %s%s)', CASE a.attidentity WHEN 'a' THEN 'ALWAYS' ELSE 'BY DEFAULT' END, sn.nspname, "
     " sc.relname, s.seqincrement, s.seqmin, s.seqmax, s.seqstart, s.seqcache, CASE WHEN "
     " s.seqcycle THEN ' CYCLE' ELSE ' NO CYCLE' END) FROM pg_sequence s JOIN pg_class sc ON "
     " sc.oid = s.seqrelid JOIN pg_namespace sn ON sn.oid = sc.relnamespace WHERE s.seqrelid = "
     " (SELECT d.objid FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.refobjid = "
     " c.oid AND d.refobjsubid = a.attnum AND d.deptype = 'i')) ELSE '' END || CASE WHEN "
     " a.attnotnull THEN ' NOT NULL' ELSE '' END, ', ' ORDER BY a.attnum) FROM pg_attribute a "
     " JOIN pg_type ty ON ty.oid = a.atttypid LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid "
     " AND ad.adnum = a.attnum WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT "
     " a.attisdropped), '') || ')' END, "
     "CASE WHEN c.relkind = 'p' THEN ' PARTITION BY ' || pg_get_partkeydef(c.oid) ELSE '' END, "
     "CASE WHEN c.reloptions IS NOT NULL THEN ' WITH (' || array_to_string(c.reloptions, ', ') "
     " || ')' ELSE '' END), "
     "ARRAY['pg_namespace:' || n.oid] || coalesce((SELECT array_agg('pg_class:' || i.inhparent) "
     " FROM pg_inherits i WHERE i.inhrelid = c.oid), ARRAY[]::text[]), '', '', "
     "c.relpersistence::text || "
     " c.relkind::text || E'\\x1f' || coalesce(pg_get_expr(c.relpartbound, c.oid), '') || E'\\x1f' "
     "|| "
     " CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) ELSE '' END || E'\\x1f' || "
     " coalesce(array_to_string(c.reloptions, ', '), '') "
     "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
     "WHERE c.relkind IN ('r', 'p') AND {ns} AND c.relname NOT IN " PGSTACK_HISTORY_TABLES
     " AND " PGSTACK_NOT_EXT("pg_class", "c.oid")},
    {ObjectKind::kSequenceOwner,
     "SELECT 'owned:' || s.oid, n.nspname, format('%I.%I', n.nspname, s.relname), "
     "format('ALTER SEQUENCE %I.%I OWNED BY %I.%I.%I;', n.nspname, s.relname, tn.nspname, "
     "t.relname, a.attname), ARRAY['pg_class:' || s.oid, 'pg_class:' || t.oid], "
     "format('%I.%I', n.nspname, s.relname), '', '' "
     "FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
     "JOIN pg_namespace n ON n.oid = s.relnamespace JOIN pg_class t ON t.oid = d.refobjid "
     "JOIN pg_namespace tn ON tn.oid = t.relnamespace JOIN pg_attribute a ON a.attrelid = t.oid "
     "AND a.attnum = d.refobjsubid WHERE d.classid = 'pg_class'::regclass AND d.refclassid = "
     "'pg_class'::regclass AND d.deptype = 'a' AND {ns} AND t.relname NOT "
     "IN " PGSTACK_HISTORY_TABLES},
    {ObjectKind::kConstraint,
     "SELECT 'pg_constraint:' || k.oid, n.nspname, format('%I on %I.%I', k.conname, n.nspname, "
     "c.relname), format('ALTER TABLE %I.%I ADD CONSTRAINT %I %s;', n.nspname, c.relname, "
     "k.conname, pg_get_constraintdef(k.oid)), ARRAY['pg_class:' || c.oid], " PGSTACK_REL ", "
     "quote_ident(k.conname), k.contype::text "
     "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
     "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE k.contype IN ('p', 'u', 'c', 'x') AND "
     "k.conparentid = 0 AND k.conislocal AND c.relkind IN ('r', 'p') AND {ns} AND c.relname NOT "
     "IN " PGSTACK_HISTORY_TABLES " AND " PGSTACK_NOT_EXT("pg_class", "c.oid")},
    {ObjectKind::kIndex,
     "SELECT 'pg_class:' || x.oid, n.nspname, format('%I.%I', n.nspname, x.relname), "
     "CASE WHEN x.relkind = 'I' THEN replace(pg_get_indexdef(x.oid), ' ON ONLY ', ' ON ') ELSE "
     "pg_get_indexdef(x.oid) END || ';', ARRAY['pg_class:' || c.oid], " PGSTACK_REL ", "
     "quote_ident(x.relname), c.relkind::text "
     "FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid JOIN pg_class c ON c.oid = "
     "i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {ns} AND c.relname NOT "
     "IN " PGSTACK_HISTORY_TABLES
     " AND " PGSTACK_NOT_EXT("pg_class", "c.oid") " AND NOT EXISTS "
                                                  "(SELECT 1 FROM pg_depend d WHERE d.classid = "
                                                  "'pg_class'::regclass AND d.objid = x.oid AND "
                                                  "d.refclassid = 'pg_constraint'::regclass AND "
                                                  "d.deptype = 'i') AND NOT EXISTS (SELECT 1 FROM "
                                                  "pg_inherits h WHERE h.inhrelid = x.oid)"},
    {ObjectKind::kView,
     "SELECT 'pg_class:' || c.oid, n.nspname, " PGSTACK_REL ", "
     "format('CREATE %sVIEW %I.%I%s AS%s%s;', CASE c.relkind WHEN 'm' THEN 'MATERIALIZED ' ELSE "
     "'' END, n.nspname, c.relname, CASE WHEN c.reloptions IS NOT NULL THEN ' WITH (' || "
     "array_to_string(c.reloptions, ', ') || ')' ELSE '' END, E'\\n', rtrim(rtrim("
     "pg_get_viewdef(c.oid), ';'), E'\\n ')), ARRAY['pg_namespace:' || n.oid], '', '', "
     "c.relkind::text "
     "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
     "WHERE c.relkind IN ('v', 'm') AND {ns} AND " PGSTACK_NOT_EXT("pg_class", "c.oid")},
    {ObjectKind::kForeignKey,
     "SELECT 'pg_constraint:' || k.oid, n.nspname, format('%I on %I.%I', k.conname, n.nspname, "
     "c.relname), format('ALTER TABLE %I.%I ADD CONSTRAINT %I %s;', n.nspname, c.relname, "
     "k.conname, pg_get_constraintdef(k.oid)), ARRAY['pg_class:' || c.oid, 'pg_class:' || "
     "k.confrelid], " PGSTACK_REL ", quote_ident(k.conname), k.contype::text FROM pg_constraint k "
     "JOIN pg_class c ON c.oid = k.conrelid "
     "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE k.contype = 'f' AND k.conparentid = 0 "
     "AND {ns} AND " PGSTACK_NOT_EXT("pg_class", "c.oid")},
    {ObjectKind::kTrigger,
     "SELECT 'pg_trigger:' || t.oid, n.nspname, format('%I on %I.%I', t.tgname, n.nspname, "
     "c.relname), pg_get_triggerdef(t.oid) || ';', ARRAY['pg_class:' || c.oid], " PGSTACK_REL
     ", quote_ident(t.tgname), '' "
     "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
     "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal AND t.tgparentid = "
     "0 AND {ns} AND " PGSTACK_NOT_EXT("pg_class", "c.oid")},
    {ObjectKind::kRowSecurity,
     "SELECT 'rls:' || c.oid, n.nspname, " PGSTACK_REL ", "
     "concat_ws(E'\\n', CASE WHEN c.relrowsecurity THEN format('ALTER TABLE %I.%I ENABLE ROW "
     "LEVEL SECURITY;', n.nspname, c.relname) END, CASE WHEN c.relforcerowsecurity THEN "
     "format('ALTER TABLE %I.%I FORCE ROW LEVEL SECURITY;', n.nspname, c.relname) END), "
     "ARRAY['pg_class:' || c.oid], " PGSTACK_REL ", '', '' FROM pg_class c JOIN pg_namespace n ON "
     "n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND (c.relrowsecurity OR "
     "c.relforcerowsecurity) AND {ns}"},
    {ObjectKind::kPolicy,
     "SELECT 'pg_policy:' || p.oid, n.nspname, format('%I on %I.%I', p.polname, n.nspname, "
     "c.relname), format('CREATE POLICY %I ON %I.%I AS %s FOR %s TO %s%s%s;', p.polname, "
     "n.nspname, c.relname, CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END, "
     "CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN "
     "'d' THEN 'DELETE' ELSE 'ALL' END, (SELECT string_agg(g, ', ' ORDER BY g) FROM (SELECT CASE "
     "WHEN r = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r)) END g FROM "
     "unnest(p.polroles) r) x), coalesce(' USING (' || pg_get_expr(p.polqual, p.polrelid) || "
     "')', ''), coalesce(' WITH CHECK (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')', "
     "'')), ARRAY['pg_class:' || c.oid, 'rls:' || c.oid], " PGSTACK_REL ", "
     "quote_ident(p.polname), '' "
     "FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid "
     "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {ns}"},
    {ObjectKind::kComment,
     "SELECT 'comment:' || d.classoid || ':' || d.objoid || ':' || d.objsubid, "
     "coalesce(o.schema, o.identity), o.type || ' ' || o.identity, format('COMMENT ON %s %s IS "
     "%L;', CASE WHEN o.type LIKE '% column' THEN 'COLUMN' WHEN o.type = 'table constraint' THEN "
     "'CONSTRAINT' ELSE upper(o.type) END, o.identity, d.description), "
     "ARRAY[d.classoid::regclass::text || ':' || d.objoid], CASE WHEN o.type LIKE '% column' "
     "THEN 'COLUMN' WHEN o.type = 'table constraint' THEN 'CONSTRAINT' ELSE upper(o.type) END || "
     "' ' || o.identity, '', '' "
     "FROM pg_description d, LATERAL pg_identify_object(d.classoid, d.objoid, d.objsubid) o "
     "LEFT JOIN pg_namespace n ON n.nspname = coalesce(o.schema, CASE WHEN o.type = 'schema' "
     "THEN o.identity END) WHERE d.objoid >= 16384 AND n.oid IS NOT NULL AND {ns} AND o.type IN "
     "('schema', 'table', 'table column', 'view', 'view column', 'materialized view', "
     "'materialized view column', 'sequence', 'index', 'function', 'procedure', 'type', "
     "'domain', 'table constraint', 'trigger', 'policy') AND NOT EXISTS (SELECT 1 FROM "
     "pg_depend e WHERE e.classid = d.classoid AND e.objid = d.objoid AND e.deptype = 'e')"},
    {ObjectKind::kGrant,
     "SELECT 'grant:' || g.node, n.nspname, g.what || ' ' || g.ident, string_agg(CASE WHEN "
     "g.is_grant THEN format('GRANT %s ON %s %s TO %s%s;', g.priv, g.what, g.ident, g.grantee, "
     "CASE WHEN g.grantable THEN ' WITH GRANT OPTION' ELSE '' END) ELSE format('REVOKE %s ON %s "
     "%s FROM %s;', g.priv, g.what, g.ident, g.grantee) END, E'\\n' ORDER BY NOT g.is_grant, "
     "g.grantee, g.priv), ARRAY[g.node], g.what || ' ' || g.ident, '', '' FROM ("
     " SELECT a.node, a.nsp, a.what, a.ident, x.privilege_type AS priv, CASE WHEN x.grantee = 0 "
     " THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(x.grantee)) END AS grantee, "
     " x.is_grantable AS grantable, x.actual AS is_grant FROM ("
     "  SELECT 'pg_class:' || c.oid AS node, c.relnamespace AS nsp, CASE c.relkind WHEN 'S' THEN "
     "  'SEQUENCE' ELSE 'TABLE' END AS what, " PGSTACK_REL " AS ident, c.relowner AS owner, "
     "  c.relacl AS acl, acldefault((CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END)::\"char\", "
     "c.relowner) "
     "  AS dflt FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN "
     "  ('r', 'p', 'v', 'm', 'S') AND c.relacl IS NOT NULL AND " PGSTACK_NOT_EXT(
         "pg_class",
         "c.oid") "  UNION ALL SELECT 'pg_proc:' || p.oid, p.pronamespace, 'ROUTINE', "
                  "format('%I.%I(%s)', "
                  "  n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)), p.proowner, "
                  "p.proacl, "
                  "  acldefault('f'::\"char\", p.proowner) FROM pg_proc p JOIN pg_namespace n ON "
                  "n.oid = p.pronamespace "
                  "  WHERE p.proacl IS NOT NULL AND p.prokind IN ('f', 'p') AND " PGSTACK_NOT_EXT(
                      "pg_proc", "p.oid") "  UNION ALL SELECT 'pg_namespace:' || n.oid, n.oid, "
                                          "'SCHEMA', quote_ident(n.nspname), "
                                          "  n.nspowner, n.nspacl, acldefault('n'::\"char\", "
                                          "n.nspowner) FROM pg_namespace n WHERE n.nspacl IS "
                                          "  NOT NULL"
                                          " ) a, LATERAL (SELECT coalesce(s.grantee, d.grantee) AS "
                                          "grantee, coalesce(s.privilege_type, "
                                          " d.privilege_type) AS privilege_type, "
                                          "coalesce(s.is_grantable, false) AS is_grantable, "
                                          " s.grantee IS NOT NULL AS actual FROM (SELECT * FROM "
                                          "aclexplode(a.acl) WHERE grantee <> "
                                          " a.owner) s FULL JOIN (SELECT * FROM aclexplode(a.dflt) "
                                          "WHERE grantee <> a.owner) d ON "
                                          " d.grantee = s.grantee AND d.privilege_type = "
                                          "s.privilege_type WHERE s.grantee IS NULL OR "
                                          " d.grantee IS NULL) x"
                                          ") g JOIN pg_namespace n ON n.oid = g.nsp WHERE {ns} "
                                          "GROUP BY g.node, n.nspname, g.what, "
                                          "g.ident"},
    {ObjectKind::kOwner,
     R"sql(
SELECT 'owner:' || o.node, n.nspname, o.what || ' ' || o.ident,
  format('ALTER %s %s OWNER TO %I;', o.what, o.ident, pg_get_userbyid(o.owner)), ARRAY[o.node],
  o.what || ' ' || o.ident, '', ''
FROM (
  SELECT 'pg_class:' || c.oid AS node, c.relnamespace AS nsp, CASE c.relkind WHEN 'S' THEN
    'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END AS what,
    format('%I.%I', n.nspname, c.relname) AS ident, c.relowner AS owner
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND c.relname NOT IN )sql" PGSTACK_HISTORY_TABLES
     R"sql( AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
    AND d.objid = c.oid AND (d.deptype = 'e' OR (c.relkind = 'S' AND d.refclassid =
    'pg_class'::regclass AND d.deptype IN ('a', 'i'))))
  UNION ALL SELECT 'pg_proc:' || p.oid, p.pronamespace, CASE p.prokind WHEN 'p' THEN 'PROCEDURE'
    ELSE 'FUNCTION' END, format('%I.%I(%s)', n.nspname, p.proname,
    pg_get_function_identity_arguments(p.oid)), p.proowner
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE p.prokind IN ('f', 'p') AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid =
    'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
  UNION ALL SELECT 'pg_type:' || t.oid, t.typnamespace, CASE t.typtype WHEN 'd' THEN 'DOMAIN'
    ELSE 'TYPE' END, format('%I.%I', n.nspname, t.typname), t.typowner
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
  WHERE (t.typtype IN ('e', 'd') OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE
    oid = t.typrelid) = 'c')) AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid =
    'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
  UNION ALL SELECT 'pg_namespace:' || n.oid, n.oid, 'SCHEMA', quote_ident(n.nspname), n.nspowner
  FROM pg_namespace n WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid =
    'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')
) o JOIN pg_namespace n ON n.oid = o.nsp WHERE {ns})sql"},
};

#undef PGSTACK_REL
#undef PGSTACK_NOT_EXT
#undef PGSTACK_HISTORY_TABLES

}  // namespace

std::span<const KindSql> CatalogQueries() { return kQueries; }

const std::string_view kNodeMapSql =
    "SELECT DISTINCT ON (classid, objid) classid::regclass::text, objid, node FROM ("
    " SELECT 0 AS pri, classid, objid, 'pg_extension:' || refobjid AS node FROM pg_depend WHERE "
    " deptype = 'e'"
    " UNION ALL SELECT 1, 'pg_class'::regclass::oid, c.oid, CASE WHEN c.relkind = 'c' THEN "
    " 'pg_type:' || c.reltype WHEN c.relkind IN ('i', 'I') THEN coalesce((SELECT "
    " 'pg_constraint:' || d.refobjid FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND "
    " d.objid = c.oid AND d.refclassid = 'pg_constraint'::regclass AND d.deptype = 'i' LIMIT 1), "
    " 'pg_class:' || c.oid) ELSE 'pg_class:' || c.oid END FROM pg_class c"
    " UNION ALL SELECT 1, 'pg_attrdef'::regclass::oid, a.oid, 'pg_class:' || a.adrelid FROM "
    " pg_attrdef a"
    " UNION ALL SELECT 1, 'pg_rewrite'::regclass::oid, r.oid, 'pg_class:' || r.ev_class FROM "
    " pg_rewrite r"
    " UNION ALL SELECT 1, 'pg_type'::regclass::oid, t.oid, CASE WHEN t.typrelid <> 0 AND (SELECT "
    " relkind FROM pg_class WHERE oid = t.typrelid) <> 'c' THEN 'pg_class:' || t.typrelid WHEN "
    " t.typelem <> 0 AND t.typsubscript = 'array_subscript_handler'::regproc THEN (SELECT CASE "
    " WHEN e.typrelid <> 0 AND (SELECT relkind FROM pg_class WHERE oid = e.typrelid) <> 'c' THEN "
    " 'pg_class:' || e.typrelid ELSE 'pg_type:' || e.oid END FROM pg_type e WHERE e.oid = "
    " t.typelem) ELSE 'pg_type:' || t.oid END FROM pg_type t"
    " UNION ALL SELECT 1, 'pg_proc'::regclass::oid, p.oid, 'pg_proc:' || p.oid FROM pg_proc p"
    " UNION ALL SELECT 1, 'pg_constraint'::regclass::oid, k.oid, CASE WHEN k.contypid <> 0 THEN "
    " 'pg_type:' || k.contypid ELSE 'pg_constraint:' || k.oid END FROM pg_constraint k"
    " UNION ALL SELECT 1, 'pg_trigger'::regclass::oid, t.oid, 'pg_trigger:' || t.oid FROM "
    "pg_trigger t"
    " UNION ALL SELECT 1, 'pg_policy'::regclass::oid, p.oid, 'pg_policy:' || p.oid FROM pg_policy p"
    " UNION ALL SELECT 1, 'pg_namespace'::regclass::oid, n.oid, 'pg_namespace:' || n.oid FROM "
    " pg_namespace n"
    " UNION ALL SELECT 1, 'pg_extension'::regclass::oid, x.oid, 'pg_extension:' || x.oid FROM "
    " pg_extension x"
    ") m WHERE objid >= 16384 ORDER BY classid, objid, pri";

const std::string_view kColumnsSql =
    "SELECT CASE WHEN c.relkind = 'c' THEN 'pg_type:' || c.reltype ELSE 'pg_class:' || "
    "a.attrelid END, quote_ident(a.attname), format_type(a.atttypid, "
    "a.atttypmod), CASE WHEN a.attcollation <> ty.typcollation THEN (SELECT format('%I.%I', "
    "cn.nspname, co.collname) FROM pg_collation co JOIN pg_namespace cn ON cn.oid = "
    "co.collnamespace WHERE co.oid = a.attcollation) ELSE '' END, CASE WHEN a.attgenerated = '' "
    "THEN coalesce(pg_get_expr(ad.adbin, ad.adrelid), '') ELSE '' END, CASE WHEN "
    "a.attgenerated = 's' THEN pg_get_expr(ad.adbin, ad.adrelid) ELSE '' END, CASE "
    "a.attidentity WHEN 'a' THEN 'ALWAYS' WHEN 'd' THEN 'BY DEFAULT' ELSE '' END, "
    "coalesce((SELECT format('(SEQUENCE NAME %I.%I INCREMENT BY %s MINVALUE %s MAXVALUE %s "
    "START WITH %s CACHE %s%s)', sn.nspname, sc.relname, s.seqincrement, s.seqmin, s.seqmax, "
    "s.seqstart, s.seqcache, CASE WHEN s.seqcycle THEN ' CYCLE' ELSE ' NO CYCLE' END) FROM "
    "pg_depend d JOIN pg_sequence s ON s.seqrelid = d.objid JOIN pg_class sc ON sc.oid = "
    "s.seqrelid JOIN pg_namespace sn ON sn.oid = sc.relnamespace WHERE d.classid = "
    "'pg_class'::regclass AND d.refobjid = a.attrelid AND d.refobjsubid = a.attnum AND "
    "d.deptype = 'i' AND a.attidentity <> ''), ''), a.attnotnull "
    "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_type ty ON ty.oid = "
    "a.atttypid LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum "
    "WHERE c.relkind IN ('r', 'p', 'c') AND NOT c.relispartition AND c.oid >= 16384 AND "
    "a.attnum > 0 "
    "AND NOT a.attisdropped "
    "ORDER BY a.attrelid, a.attnum";

const std::string_view kEnumLabelsSql =
    "SELECT 'pg_type:' || enumtypid, quote_literal(enumlabel) FROM pg_enum WHERE enumtypid >= "
    "16384 ORDER BY enumtypid, enumsortorder";

const std::string_view kDomainsSql =
    "SELECT 'pg_type:' || t.oid, format_type(t.typbasetype, t.typtypmod), CASE WHEN "
    "t.typcollation <> bt.typcollation THEN (SELECT format('%I.%I', cn.nspname, co.collname) FROM "
    "pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = "
    "t.typcollation) ELSE '' END, coalesce(t.typdefault, ''), t.typnotnull FROM pg_type t JOIN "
    "pg_type bt ON bt.oid = t.typbasetype WHERE t.typtype = 'd' AND t.oid >= 16384";

const std::string_view kDomainChecksSql =
    "SELECT 'pg_type:' || k.contypid, quote_ident(k.conname) || E'\\x1f' || "
    "pg_get_constraintdef(k.oid) FROM pg_constraint k WHERE k.contypid >= 16384 AND k.contype = "
    "'c' ORDER BY k.contypid, k.conname";

const std::string_view kDependsSql =
    "SELECT classid::regclass::text, objid, refclassid::regclass::text, refobjid FROM pg_depend "
    "WHERE deptype = 'n' AND objid >= 16384 AND refobjid >= 16384";

}  // namespace pgstack::migrate::internal
