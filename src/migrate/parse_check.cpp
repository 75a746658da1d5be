#include "parse_check.h"

#include "sql_buffer.h"

namespace pgstack::migrate::internal {
namespace {

constexpr std::string_view kMarker = "pgstack parse check";
constexpr std::string_view kStopper =
    "DO $pgstack_parse_check$BEGIN RAISE EXCEPTION 'pgstack parse check'; "
    "END$pgstack_parse_check$;\n";
// Strings past this size are sent in more than one check.
constexpr size_t kChunkBytes = 8 << 20;

Status Send(pg::Connection& conn, const SqlBuffer& buf, const std::string& first_path) {
  auto r = conn.Exec(buf.str());
  if (r.ok()) return Status::Failure("the syntax check ran to its end, which it never should");
  const Status& s = r.status();
  if (s.sqlstate() == "P0001" && s.message().find(kMarker) != std::string::npos) {
    return Status::Ok();
  }
  // Errors of the text itself (syntax, class 42; bad literals or escapes, class 22) are the
  // file's fault; anything else (the server going away, ...) keeps its code.
  std::string_view cls = std::string_view(s.sqlstate()).substr(0, 2);
  return buf.Locate(s, first_path)
      .WithCode(cls == "42" || cls == "22" ? Code::kInvalidInput : s.code());
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
