#include "scratch_db.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <functional>
#include <optional>

#include "pgstack/core/interrupt.h"
#include "pgstack/core/parse_int.h"
#include "pgstack/pg/error_class.h"
#include "pgstack/pg/interruptible.h"
#include "pgstack/pg/transaction.h"

namespace pgstack::migrate::internal {

namespace {

// This machine, in a scratch database's name: a run drops only its own machine's leftovers.
std::string HostTag() {
  char host[256] = {};
  (void)gethostname(host, sizeof host - 1);
  return fmt::format("{:08x}", static_cast<uint32_t>(std::hash<std::string>{}(host)));
}

// Drops the scratch databases that runs on this machine left behind when they were killed:
// those whose process is gone. One of a live run is never touched.
Status DropLeftovers(pg::Connection& admin, const std::string& host) {
  PGSTACK_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      admin.Exec("SELECT datname, split_part(datname, '_', 4) FROM pg_database WHERE datname "
                 "LIKE 'pgstack\\_scratch\\_' || $1 || '\\_%'",
                 {host}));
  for (int i = 0; i < r.rows(); ++i) {
    auto pid = core::ParseInt<long long>(r.get(i, 1), "pid");
    if (!pid.ok() || *pid <= 0 || kill(static_cast<pid_t>(*pid), 0) == 0 || errno != ESRCH)
      continue;
    PGSTACK_RETURN_IF_ERROR(admin.Run(
        "DROP DATABASE IF EXISTS " + admin.QuoteIdent(std::string(r.get(i, 0))) + " WITH (FORCE)"));
  }
  return Status::Ok();
}

}  // namespace

Result<ScratchDb> ScratchDb::Create(const ScratchOptions& o, const std::string& template_db) {
  static std::atomic<int> counter{0};
  static const std::string host = HostTag();
  auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  std::string name =
      fmt::format("pgstack_scratch_{}_{}_{}_{}", host, getpid(), now % 1000000, counter++);
  PGSTACK_ASSIGN_OR_RETURN(pg::Connection admin, pg::Connection::Open(o.superuser));
  PGSTACK_RETURN_IF_ERROR(DropLeftovers(admin, host));
  // Nothing in a scratch database needs to survive a crash: no commit in it, nor its own
  // CREATE and DROP, waits for the WAL to reach the disk.
  PGSTACK_RETURN_IF_ERROR(admin.Run("SET synchronous_commit = off"));
  std::string sql = "CREATE DATABASE " + admin.QuoteIdent(name);
  if (!template_db.empty()) sql += " TEMPLATE " + admin.QuoteIdent(template_db);
  // A template in use is waited for, 5 s, before 55006.
  PGSTACK_RETURN_IF_ERROR(pg::RunInterruptible(admin, sql));
  ScratchDb made(o.superuser, std::move(name));  // dropped from here on, whatever fails
  PGSTACK_RETURN_IF_ERROR(admin.Run("ALTER DATABASE " + admin.QuoteIdent(made.name()) +
                                    " SET synchronous_commit = off"));
  return made;
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
  PGSTACK_RETURN_IF_ERROR(admin.Run("SET synchronous_commit = off"));
  Status s = admin.Run("DROP DATABASE IF EXISTS " + admin.QuoteIdent(name_) + " WITH (FORCE)");
  if (s.ok()) name_.clear();
  return s;
}

Status LocateInStatement(const SqlText& t, const Statement& st, const Status& s) {
  std::string_view sql = std::string_view(t.sql).substr(st.begin, st.end - st.begin);
  size_t at = st.begin;
  if (s.position() > 0) at += ByteOffsetOfChar(sql, static_cast<size_t>(s.position() - 1));
  Status out = Status::Failure(fmt::format("{}: {}", t.Where(at), s.message()));
  return pg::IsSyntaxError(s) ? out.WithCode(Code::kInvalidInput) : out;
}

Status RunUpSql(pg::Connection& conn, const Migration& m, const AroundStatement& around) {
  const SqlText& t = m.up;
  bool one_transaction = m.UpMode() == RunMode::kTransaction;
  auto begin_if = [&conn](bool wanted) -> Result<std::optional<pg::Transaction>> {
    if (!wanted) return std::optional<pg::Transaction>();
    PGSTACK_ASSIGN_OR_RETURN(pg::Transaction tx, pg::Transaction::Begin(conn));
    return std::optional<pg::Transaction>(std::move(tx));
  };
  PGSTACK_ASSIGN_OR_RETURN(std::optional<pg::Transaction> whole, begin_if(one_transaction));
  for (const Statement& st : t.statements) {
    if (st.copy_from_stdin) continue;
    PGSTACK_ASSIGN_OR_RETURN(
        std::optional<pg::Transaction> own,
        begin_if(!one_transaction && st.kind != StatementKind::kNoTransaction));
    std::string_view sql = std::string_view(t.sql).substr(st.begin, st.end - st.begin);
    auto run = [&] { return pg::RunInterruptible(conn, sql); };
    Status s = around ? around(t, st, run) : run();
    if (core::IsInterruption(s)) return s;
    if (!s.ok()) return LocateInStatement(t, st, s);
    if (own) PGSTACK_RETURN_IF_ERROR(own->Commit());
  }
  if (whole) PGSTACK_RETURN_IF_ERROR(whole->Commit());
  return Status::Ok();
}

Status CreateExtensions(pg::Connection& conn, const std::vector<std::string>& extensions) {
  for (const std::string& e : extensions) {
    PGSTACK_RETURN_IF_ERROR(conn.Run("CREATE EXTENSION IF NOT EXISTS " + conn.QuoteIdent(e)));
  }
  return Status::Ok();
}

}  // namespace pgstack::migrate::internal
