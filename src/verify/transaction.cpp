#include "transaction.h"

#include "pgstack/pg/transaction.h"

namespace pgstack::verify {

Status InRolledBackTransaction(pg::Connection& conn, const std::function<Status()>& body) {
  PGSTACK_ASSIGN_OR_RETURN(pg::Transaction tx, pg::Transaction::Begin(conn));
  Status st = body();
  Status rollback = tx.Rollback();
  return st.ok() ? rollback : st;
}

}  // namespace pgstack::verify
