#include "pgstack/testdb/database_ddl.h"

#include <fmt/format.h>

#include <chrono>

#include "pgstack/core/wait.h"
#include "pgstack/testdb/names.h"

namespace pgstack::testdb {

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
  PGSTACK_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      conn.Exec(
          "SELECT d.datname FROM pg_database d "
          "WHERE (starts_with(d.datname, $1) OR starts_with(d.datname, $2)) "
          "AND starts_with(coalesce(shobj_description(d.oid, 'pg_database'), ''), $3) "
          "AND (" +
              and_also + ") ORDER BY d.datname",
          {std::string(kTemplatePrefix), std::string(kTestPrefix), std::string(kCommentPrefix)}));
  std::vector<std::string> out;
  for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.get(i, 0));
  return out;
}

Status SealTemplate(pg::Connection& conn, const std::string& name) {
  std::string q = conn.QuoteIdent(name);
  PGSTACK_RETURN_IF_ERROR(
      conn.Run(fmt::format("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false IS_TEMPLATE true", q)));
  return conn
      .Exec(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
          "WHERE datname = $1 AND pid <> pg_backend_pid()",
          {name})
      .status();
}

}  // namespace pgstack::testdb
