#include "parse_check.h"

#include "pgstack/pg/error_class.h"
#include "sql_buffer.h"

namespace pgstack::migrate::internal {
namespace {

// The stopper's error carries a SQLSTATE of its own (class PG, which PostgreSQL does not use), so
// that it is told from the file's errors by code, not by message.
constexpr std::string_view kStopperState = "PGSPC";
constexpr std::string_view kStopper =
    "DO $pgstack_parse_check$BEGIN RAISE EXCEPTION USING ERRCODE = 'PGSPC', MESSAGE = "
    "'pgstack parse check'; END$pgstack_parse_check$";
// Strings past this size are sent in more than one check.
constexpr size_t kChunkBytes = 8 << 20;

Status Send(pg::Connection& conn, const SqlBuffer& buf, const std::string& first_path) {
  auto r = conn.Exec(buf.str());
  if (r.ok()) return Status::Failure("the syntax check ran to its end, which it never should");
  const Status& s = r.status();
  if (s.sqlstate() == kStopperState) return Status::Ok();
  // Errors of the text itself are the file's fault; anything else (the server going away, ...)
  // keeps its code.
  return buf.Locate(s, first_path)
      .WithCode(pg::IsStatementFault(s) ? Code::kInvalidInput : s.code());
}

}  // namespace

Status ParseCheck(pg::Connection& conn, const std::vector<const SqlText*>& texts) {
  SqlBuffer buf;
  std::string first_path;
  for (const SqlText* t : texts) {
    if (buf.empty()) {
      buf.Append(kStopper);
      first_path = t->path;
    }
    for (const auto& st : t->statements) buf.AppendStatement(*t, st);
    if (buf.size() > kChunkBytes) {
      PGSTACK_RETURN_IF_ERROR(Send(conn, buf, first_path));
      buf = SqlBuffer();
    }
  }
  if (!buf.empty()) return Send(conn, buf, first_path);
  return Status::Ok();
}

}  // namespace pgstack::migrate::internal
