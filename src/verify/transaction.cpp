#include "transaction.h"

namespace pgstack::verify {

Status InRolledBackTransaction(pg::Connection& conn, const std::function<Status()>& body) {
  PGSTACK_RETURN_IF_ERROR(conn.Run("BEGIN"));
  Status st = body();
  Status rollback = conn.Run("ROLLBACK");
  return st.ok() ? rollback : st;
}

}  // namespace pgstack::verify
