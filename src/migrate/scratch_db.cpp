#include "scratch_db.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>

namespace pgstack::migrate::internal {

Result<ScratchDb> ScratchDb::Create(const ScratchOptions& o, const std::string& template_db) {
  static std::atomic<int> counter{0};
  auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  std::string name = fmt::format("pgstack_scratch_{}_{}_{}", getpid(), now % 1000000, counter++);
  PGSTACK_ASSIGN_OR_RETURN(pg::Connection admin, pg::Connection::Open(o.superuser));
  std::string sql = "CREATE DATABASE " + admin.QuoteIdent(name);
  if (!template_db.empty()) sql += " TEMPLATE " + admin.QuoteIdent(template_db);
  PGSTACK_RETURN_IF_ERROR(admin.Run(sql));
  return ScratchDb(o.superuser, std::move(name));
}

ScratchDb::ScratchDb(ScratchDb&& other) noexcept
    : admin_(std::move(other.admin_)), name_(std::move(other.name_)) {
  other.name_.clear();
}

ScratchDb& ScratchDb::operator=(ScratchDb&& other) noexcept {
  if (this != &other) {
    (void)Drop();
    admin_ = std::move(other.admin_);
    name_ = std::move(other.name_);
    other.name_.clear();
  }
  return *this;
}

ScratchDb::~ScratchDb() { (void)Drop(); }

Result<pg::Connection> ScratchDb::Connect() const {
  pg::ConnParams p = admin_;
  p.dbname = name_;
  return pg::Connection::Open(p);
}

Status ScratchDb::Drop() {
  if (name_.empty()) return Status::Ok();
  PGSTACK_ASSIGN_OR_RETURN(pg::Connection admin, pg::Connection::Open(admin_));
  Status s = admin.Run("DROP DATABASE IF EXISTS " + admin.QuoteIdent(name_) + " WITH (FORCE)");
  if (s.ok()) name_.clear();
  return s;
}

Status RunUpSql(pg::Connection& conn, const Migration& m, const AroundStatement& around) {
  const SqlText& t = m.up;
  bool one_transaction = m.UpMode() == RunMode::kTransaction;
  auto fail = [&](const Statement& st, const Status& s) {
    if (conn.in_transaction()) (void)conn.Run("ROLLBACK");
    return Status::Failure(fmt::format("{}: {}", t.Where(st.begin), s.message()));
  };
  if (one_transaction) PGSTACK_RETURN_IF_ERROR(conn.Run("BEGIN"));
  for (const Statement& st : t.statements) {
    if (st.copy_from_stdin) continue;
    bool own = !one_transaction && st.kind != StatementKind::kNoTransaction;
    if (own) PGSTACK_RETURN_IF_ERROR(conn.Run("BEGIN"));
    std::string_view sql = std::string_view(t.sql).substr(st.begin, st.end - st.begin);
    auto run = [&] { return conn.Run(sql); };
    Status s = around ? around(t, st, run) : run();
    if (!s.ok()) return fail(st, s);
    if (own) PGSTACK_RETURN_IF_ERROR(conn.Run("COMMIT"));
  }
  if (one_transaction) PGSTACK_RETURN_IF_ERROR(conn.Run("COMMIT"));
  return Status::Ok();
}

Status CreateExtensions(pg::Connection& conn, const std::vector<std::string>& extensions) {
  for (const std::string& e : extensions) {
    PGSTACK_RETURN_IF_ERROR(conn.Run("CREATE EXTENSION IF NOT EXISTS " + conn.QuoteIdent(e)));
  }
  return Status::Ok();
}

}  // namespace pgstack::migrate::internal
