#include "pgstack/testdb/database_ddl.h"

#include <fmt/format.h>

#include <chrono>

#include "pgstack/core/wait.h"
#include "pgstack/location/testdb_roles.h"
#include "pgstack/testdb/names.h"

namespace pgstack::testdb {
namespace {

// The names in a shared catalog (`from`, with the alias and_also uses) that carry testdb's name
// prefix and comment: `name` is the name column, `described` shobj_description's arguments.
Result<std::vector<std::string>> Marked(pg::Connection& conn, const std::string& from,
                                        const std::string& name, const std::string& described,
                                        const std::string& and_also) {
  PGSTACK_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      conn.Exec(
          fmt::format("SELECT {0} FROM {1} WHERE (starts_with({0}, $1) OR "
                      "starts_with({0}, $2)) AND starts_with(coalesce(shobj_description("
                      "{2}), ''), $3) AND ({3}) ORDER BY {0}",
                      name, from, described, and_also),
          {std::string(kTemplatePrefix), std::string(kTestPrefix), std::string(kCommentPrefix)}));
  std::vector<std::string> out;
  for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.get(i, 0));
  return out;
}

}  // namespace

Status DropDatabase(pg::Connection& conn, const std::string& name) {
  // A cloner killed mid-CREATE leaves its backend finishing the CREATE after its row lock is
  // gone: dropping before that CREATE commits would find nothing, and the database would then
  // appear unlisted and without its comment. So wait for such a CREATE first.
  std::string creating = fmt::format("CREATE DATABASE {} ", conn.QuoteIdent(name));
  Status failed;
  // Past the bound the DROP goes ahead: at worst it finds nothing, and gc comes back for it.
  (void)core::WaitUntil({.what = "a CREATE DATABASE of " + name + " in another session to end",
                         .timeout = std::chrono::minutes(1),
                         .backoff = {.first = std::chrono::milliseconds(50)}},
                        [&] {
                          auto busy = conn.Exec(
                              "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                              "AND pid <> pg_backend_pid() AND starts_with(query, $1)",
                              {creating});
                          if (!busy.ok()) return core::Poll::Fail(failed = busy.status());
                          return busy->scalar() == "0" ? core::Poll::Ready()
                                                       : core::Poll::NotYet("it still runs");
                        });
  if (!failed.ok()) return failed;
  PGSTACK_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      conn.Exec("SELECT datistemplate FROM pg_database WHERE datname = $1", {name}));
  if (r.rows() == 0) return Status::Ok();
  std::string q = conn.QuoteIdent(name);
  if (r.get(0, 0) == "t") {
    PGSTACK_RETURN_IF_ERROR(conn.Run(fmt::format("ALTER DATABASE {} IS_TEMPLATE false", q)));
  }
  Status s = conn.Run(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", q));
  return s.ok() ? s : s.WithContext("dropping database " + name);
}

Status CloneDatabase(pg::Connection& conn, const std::string& name, const std::string& source,
                     const std::string& owner, Strategy strategy, const std::string& comment) {
  std::string q = conn.QuoteIdent(name);
  Status s = conn.Run(fmt::format("CREATE DATABASE {} TEMPLATE {} OWNER {} STRATEGY {}", q,
                                  conn.QuoteIdent(source), conn.QuoteIdent(owner),
                                  StrategyName(strategy)));
  if (!s.ok()) return s.WithContext(fmt::format("creating database {} from {}", name, source));
  s = conn.Run(fmt::format("COMMENT ON DATABASE {} IS {}", q, conn.QuoteLiteral(comment)));
  if (!s.ok()) {
    (void)DropDatabase(conn, name);
    return s.WithContext("commenting database " + name);
  }
  return Status::Ok();
}

Result<std::vector<std::string>> MarkedDatabases(pg::Connection& conn,
                                                 const std::string& and_also) {
  return Marked(conn, "pg_database d", "d.datname", "d.oid, 'pg_database'", and_also);
}

Status SealTemplate(pg::Connection& conn, const std::string& name) {
  std::string q = conn.QuoteIdent(name);
  PGSTACK_RETURN_IF_ERROR(
      conn.Run(fmt::format("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false IS_TEMPLATE true", q)));
  // Its builder role, if it has one, owns no database from now on (so that REASSIGN OWNED in a
  // clone moves only what is inside the clone) and logs in no more.
  PGSTACK_ASSIGN_OR_RETURN(std::vector<std::string> builder,
                           MarkedRoles(conn, "r.rolname = " + conn.QuoteLiteral(name)));
  if (!builder.empty()) {
    PGSTACK_RETURN_IF_ERROR(conn.Run(fmt::format("ALTER DATABASE {} OWNER TO CURRENT_USER", q)));
    PGSTACK_RETURN_IF_ERROR(conn.Run(fmt::format("ALTER ROLE {} NOLOGIN", q)));
  }
  return conn
      .Exec(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
          "WHERE datname = $1 AND pid <> pg_backend_pid()",
          {name})
      .status();
}

Status EnsureLoginRole(pg::Connection& conn, const std::string& name, const std::string& password,
                       const std::string& comment) {
  PGSTACK_ASSIGN_OR_RETURN(std::string verifier, conn.ScramVerifier(name, password));
  std::string q = conn.QuoteIdent(name);
  PGSTACK_ASSIGN_OR_RETURN(pg::QueryResult exists,
                           conn.Exec("SELECT 1 FROM pg_roles WHERE rolname = $1", {name}));
  std::string sql =
      exists.rows()
          ? fmt::format("ALTER ROLE {} LOGIN PASSWORD {}", q, conn.QuoteLiteral(verifier))
          : fmt::format("CREATE ROLE {} LOGIN NOINHERIT PASSWORD {} IN ROLE {}", q,
                        conn.QuoteLiteral(verifier), conn.QuoteIdent(location::kTestdbGroupRole));
  Status s = conn.Run(sql);
  if (s.ok()) s = conn.Run(fmt::format("COMMENT ON ROLE {} IS {}", q, conn.QuoteLiteral(comment)));
  return s.ok() ? s : s.WithContext("creating role " + name);
}

Status DropMarkedRole(pg::Connection& conn, const std::string& name) {
  PGSTACK_ASSIGN_OR_RETURN(std::vector<std::string> marked,
                           MarkedRoles(conn, "r.rolname = " + conn.QuoteLiteral(name)));
  if (marked.empty()) return Status::Ok();
  Status s = conn.Run("DROP ROLE IF EXISTS " + conn.QuoteIdent(name));
  return s.ok() ? s : s.WithContext("dropping role " + name);
}

Status DropDatabaseAndRole(pg::Connection& conn, const std::string& name) {
  PGSTACK_RETURN_IF_ERROR(DropDatabase(conn, name));
  return DropMarkedRole(conn, name);
}

Status Seclude(pg::Connection& conn, const pg::ConnParams& admin, const std::string& name,
               const std::string& source, const std::string& owner) {
  PGSTACK_RETURN_IF_ERROR(
      conn.Run(fmt::format("REVOKE ALL ON DATABASE {} FROM PUBLIC", conn.QuoteIdent(name))));
  PGSTACK_ASSIGN_OR_RETURN(std::vector<std::string> builder,
                           MarkedRoles(conn, "r.rolname = " + conn.QuoteLiteral(source)));
  if (builder.empty() || source == owner) return Status::Ok();
  // The builder owns no shared object (its template is the administrator's once sealed), so
  // REASSIGN OWNED moves only what is inside this clone.
  pg::ConnParams in_clone = admin;
  in_clone.dbname = name;
  PGSTACK_ASSIGN_OR_RETURN(pg::Connection c, pg::Connection::Open(in_clone));
  Status s =
      c.Run(fmt::format("REASSIGN OWNED BY {} TO {}", c.QuoteIdent(source), c.QuoteIdent(owner)));
  return s.ok() ? s : s.WithContext("handing the objects of clone " + name + " to " + owner);
}

Result<std::vector<std::string>> MarkedRoles(pg::Connection& conn, const std::string& and_also) {
  return Marked(conn, "pg_roles r", "r.rolname", "r.oid, 'pg_authid'", and_also);
}

}  // namespace pgstack::testdb
