#include "pgstack/pg/transaction.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace pgstack::pg {
namespace {

std::string BeginSql(const TransactionOptions& o) {
  std::string sql = "BEGIN";
  if (o.isolation == TransactionOptions::Isolation::kRepeatableRead) {
    sql += " ISOLATION LEVEL REPEATABLE READ";
  }
  if (o.read_only) sql += " READ ONLY";
  if (o.lock_timeout) {
    sql += fmt::format("; SET LOCAL lock_timeout = '{}ms'",
                       std::max<std::chrono::milliseconds::rep>(1, o.lock_timeout->count()));
  }
  return sql;
}

}  // namespace

Result<Transaction> Transaction::Begin(Connection& conn, const TransactionOptions& options) {
  // Made before BEGIN is sent, so that a BEGIN whose SET LOCAL fails is rolled back by it.
  Transaction tx(conn);
  PGSTACK_RETURN_IF_ERROR(conn.Run(BeginSql(options)));
  return tx;
}

Transaction::Transaction(Transaction&& other) noexcept
    : conn_(std::exchange(other.conn_, nullptr)) {}

Transaction::~Transaction() {
  // A failed ROLLBACK is left unreported: a destructor has nobody to tell, and ROLLBACK fails
  // only on a connection that broke, where the server ends the transaction with the session and
  // the connection's next statement reports the break.
  if (conn_ && conn_->in_transaction()) (void)conn_->Run("ROLLBACK");
}

Status Transaction::Commit() {
  if (!conn_) return Status::Failure("commit of a transaction that has ended");
  Connection& conn = *std::exchange(conn_, nullptr);
  PGSTACK_ASSIGN_OR_RETURN(QueryResult r, conn.Exec("COMMIT"));
  // PostgreSQL answers COMMIT in a failed transaction with a rollback, not an error.
  if (r.command() == "ROLLBACK") {
    return Status::Postgres(
        "the transaction was rolled back, not committed: a statement in it had failed", "25P02");
  }
  return Status::Ok();
}

Status Transaction::Rollback() {
  if (!conn_) return Status::Failure("rollback of a transaction that has ended");
  return std::exchange(conn_, nullptr)->Run("ROLLBACK");
}

}  // namespace pgstack::pg
