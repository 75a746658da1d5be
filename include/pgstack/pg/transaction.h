// A transaction on a pg::Connection, in the manner of libpqxx: Begin() returns an open
// transaction or an error (never a half-open one); Commit() makes its work stick; one that is
// destroyed without Commit() or Rollback() rolls back. Move-only.
//
// The statements of the transaction run on the connection itself (conn.Exec, conn.Run). The
// connection must outlive the transaction and stay where it is (not be moved) while it is open;
// like the connection, a transaction is used by one thread at a time.
#pragma once

#include <chrono>
#include <optional>

#include "pgstack/core/status.h"
#include "pgstack/pg/connection.h"

namespace pgstack::pg {

struct TransactionOptions {
  enum class Isolation {
    kDefault,         // the session's default_transaction_isolation (read committed unless set)
    kRepeatableRead,  // one snapshot for every statement of the transaction
  };
  Isolation isolation = Isolation::kDefault;
  bool read_only = false;
  // SET LOCAL lock_timeout: how long a statement of the transaction waits for a lock before it
  // fails with lock_not_available (ErrorClass::kLockNotAvailable). Below 1 ms counts as 1 ms,
  // because 0 would mean no limit. nullopt: the session's setting.
  std::optional<std::chrono::milliseconds> lock_timeout;
};

class Transaction {
 public:
  // Opens a transaction on conn (one round trip, options included). On error nothing is left
  // open on conn.
  static Result<Transaction> Begin(Connection& conn, const TransactionOptions& options = {});

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  // Rolls back unless the transaction has ended; never throws.
  ~Transaction();

  // Ends the transaction, keeping its work. The server's error when the COMMIT fails (a deferred
  // constraint, a serialization failure: the work is rolled back then), and SQLSTATE 25P02
  // (in_failed_sql_transaction) when a statement of the transaction failed earlier, for which
  // PostgreSQL answers COMMIT by rolling back. Either way the transaction has ended after.
  Status Commit();
  // Ends the transaction, dropping its work; the error when the ROLLBACK fails (a connection
  // that broke). For a caller that reports it; otherwise destruction rolls back too.
  Status Rollback();

 private:
  explicit Transaction(Connection& conn) : conn_(&conn) {}
  // The connection while the transaction is open; nullptr once it ended or was moved from.
  Connection* conn_;
};

}  // namespace pgstack::pg
