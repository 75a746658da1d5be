// pg::Transaction against the real server: what Commit keeps and what ending without it drops,
// seen from another session; a failed statement that Commit reports; moves; the options.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include "fixture.h"
#include "pgstack/pg/transaction.h"

namespace pgstack::testing {
namespace {

pg::Connection Direct() {
  auto c = TestStack::Shared().Direct();
  EXPECT_TRUE(c.ok()) << c.status().message();
  return std::move(*c);
}

// A fresh empty table of its own for each test: public.<name> (<columns>).
void MakeTable(pg::Connection& c, const std::string& name, const std::string& columns = "id int") {
  c.SetNoticeHandler(nullptr);  // "does not exist, skipping"
  Status s = c.Run("DROP TABLE IF EXISTS public." + name + "; CREATE TABLE public." + name + " (" +
                   columns + ")");
  ASSERT_TRUE(s.ok()) << s.message();
}

// A transaction begun on c that has inserted `rows` into public.<table>.
Result<pg::Transaction> WithRows(pg::Connection& c, const std::string& table,
                                 const std::string& rows = "(1)") {
  PGSTACK_ASSIGN_OR_RETURN(pg::Transaction tx, pg::Transaction::Begin(c));
  PGSTACK_RETURN_IF_ERROR(c.Run("INSERT INTO public." + table + " VALUES " + rows));
  return tx;
}

// The rows of public.<name>, counted by another session: what is committed.
int CommittedRows(const std::string& name) {
  pg::Connection other = Direct();
  auto r = other.Exec("SELECT count(*) FROM public." + name);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::stoi(r->scalar()) : -1;
}

// The transaction on c has ended, leaving `rows` rows in public.<table> for every session.
void ExpectEnded(pg::Connection& c, const std::string& table, int rows) {
  EXPECT_FALSE(c.in_transaction());
  EXPECT_EQ(CommittedRows(table), rows);
}

// Commit fails with `sqlstate`, and nothing of the transaction stays.
void ExpectCommitFails(pg::Connection& c, pg::Transaction& tx, const std::string& table,
                       const std::string& sqlstate) {
  Status s = tx.Commit();
  EXPECT_EQ(s.sqlstate(), sqlstate) << s.message();
  ExpectEnded(c, table, 0);
}

TEST(PgTransaction, CommitKeepsTheWork) {
  pg::Connection c = Direct();
  MakeTable(c, "tx_commit");
  auto tx = WithRows(c, "tx_commit");
  ASSERT_TRUE(tx.ok()) << tx.status().message();
  EXPECT_TRUE(c.in_transaction());
  EXPECT_EQ(CommittedRows("tx_commit"), 0);
  Status s = tx->Commit();
  ASSERT_TRUE(s.ok()) << s.message();
  ExpectEnded(c, "tx_commit", 1);
}

TEST(PgTransaction, EndingWithoutCommitRollsBack) {
  pg::Connection c = Direct();
  MakeTable(c, "tx_scope");
  {
    auto tx = WithRows(c, "tx_scope");
    ASSERT_TRUE(tx.ok()) << tx.status().message();
  }
  ExpectEnded(c, "tx_scope", 0);

  auto tx = WithRows(c, "tx_scope");
  ASSERT_TRUE(tx.ok()) << tx.status().message();
  Status s = tx->Rollback();
  ASSERT_TRUE(s.ok()) << s.message();
  ExpectEnded(c, "tx_scope", 0);
  // Ended: neither ends it again.
  EXPECT_FALSE(tx->Commit().ok());
  EXPECT_FALSE(tx->Rollback().ok());
}

TEST(PgTransaction, CommitAfterAFailedStatementReportsIt) {
  pg::Connection c = Direct();
  MakeTable(c, "tx_failed");
  auto tx = WithRows(c, "tx_failed");
  ASSERT_TRUE(tx.ok()) << tx.status().message();
  EXPECT_FALSE(c.Run("SELECT 1/0").ok());
  ExpectCommitFails(c, *tx, "tx_failed", "25P02");
}

TEST(PgTransaction, CommitReportsTheServersError) {
  pg::Connection c = Direct();
  MakeTable(c, "tx_deferred", "id int, UNIQUE (id) DEFERRABLE INITIALLY DEFERRED");
  // The duplicate is found only at COMMIT.
  auto tx = WithRows(c, "tx_deferred", "(1), (1)");
  ASSERT_TRUE(tx.ok()) << tx.status().message();
  ExpectCommitFails(c, *tx, "tx_deferred", "23505");
}

TEST(PgTransaction, AMovedTransactionIsEndedByItsNewOwnerOnly) {
  pg::Connection c = Direct();
  MakeTable(c, "tx_moved");
  auto begun = WithRows(c, "tx_moved");
  ASSERT_TRUE(begun.ok()) << begun.status().message();
  std::optional<pg::Transaction> from(std::move(*begun));
  pg::Transaction to(std::move(*from));
  from.reset();  // destroying the moved-from one ends nothing
  EXPECT_TRUE(c.in_transaction());
  EXPECT_FALSE(begun->Commit().ok());  // moved from: it holds no transaction
  EXPECT_TRUE(c.in_transaction());
  Status s = to.Commit();
  ASSERT_TRUE(s.ok()) << s.message();
  ExpectEnded(c, "tx_moved", 1);
}

TEST(PgTransaction, OptionsHoldForTheTransactionOnly) {
  pg::Connection c = Direct();
  auto setting = [&c](const std::string& name) {
    auto r = c.Exec("SELECT current_setting('" + name + "')");
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? std::string(r->scalar()) : std::string();
  };
  std::string isolation = setting("transaction_isolation");
  std::string lock_timeout = setting("lock_timeout");
  {
    pg::TransactionOptions o;
    o.isolation = pg::TransactionOptions::Isolation::kRepeatableRead;
    o.read_only = true;
    o.lock_timeout = std::chrono::milliseconds(250);
    auto tx = pg::Transaction::Begin(c, o);
    ASSERT_TRUE(tx.ok()) << tx.status().message();
    EXPECT_EQ(setting("transaction_isolation"), "repeatable read");
    EXPECT_EQ(setting("transaction_read_only"), "on");
    EXPECT_EQ(setting("lock_timeout"), "250ms");
    Status write = c.Run("CREATE TABLE public.tx_read_only (id int)");
    EXPECT_EQ(write.sqlstate(), "25006") << write.message();  // read_only_sql_transaction
  }
  EXPECT_EQ(setting("transaction_isolation"), isolation);
  EXPECT_EQ(setting("lock_timeout"), lock_timeout);
  // 0 would mean no limit: the shortest bound is 1 ms.
  pg::TransactionOptions zero;
  zero.lock_timeout = std::chrono::milliseconds(0);
  auto tx = pg::Transaction::Begin(c, zero);
  ASSERT_TRUE(tx.ok()) << tx.status().message();
  EXPECT_EQ(setting("lock_timeout"), "1ms");
  EXPECT_EQ(setting("transaction_read_only"), "off");
}

TEST(PgTransaction, AFailedBeginLeavesNothingOpen) {
  pg::Connection c = Direct();
  // In a failed transaction the server refuses BEGIN (and everything but its end).
  auto outer = pg::Transaction::Begin(c);
  ASSERT_TRUE(outer.ok()) << outer.status().message();
  EXPECT_FALSE(c.Run("SELECT 1/0").ok());
  auto tx = pg::Transaction::Begin(c);
  ASSERT_FALSE(tx.ok());
  EXPECT_EQ(tx.status().sqlstate(), "25P02") << tx.status().message();
  EXPECT_FALSE(c.in_transaction());
}

}  // namespace
}  // namespace pgstack::testing
