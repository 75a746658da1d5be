#include "pgstack/bench/scratch_schema.h"

#include <unistd.h>

#include "pgstack/pg/connection.h"

namespace pgstack::bench {

void SilenceNotices(pg::Connection& conn) { conn.SetNoticeHandler(nullptr); }

Result<ScratchSchema> ScratchSchema::Create(const pg::ConnParams& params) {
  std::string name = "pgstack_bench_" + std::to_string(getpid());
  PGSTACK_ASSIGN_OR_RETURN(auto conn, pg::Connection::Open(params));
  SilenceNotices(conn);
  // A schema of that name is a leftover of an earlier run of the same pid that was killed.
  PGSTACK_RETURN_IF_ERROR(conn.Run("DROP SCHEMA IF EXISTS " + name + " CASCADE"));
  Status s = conn.Run("CREATE SCHEMA " + name);
  if (!s.ok()) {
    return s.WithContext("cannot create the bench's scratch schema as " + params.user +
                         " (it needs CREATE on database " + params.dbname + ")");
  }
  return ScratchSchema(params, name);
}

Status ScratchSchema::Drop() {
  if (name_.empty()) return Status::Ok();
  std::string name = std::move(name_);
  name_.clear();
  PGSTACK_ASSIGN_OR_RETURN(auto conn, pg::Connection::Open(params_));
  SilenceNotices(conn);
  return conn.Run("DROP SCHEMA IF EXISTS " + name + " CASCADE");
}

}  // namespace pgstack::bench
