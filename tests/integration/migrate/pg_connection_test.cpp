// pg::Connection's methods beyond one statement at a time, against the real server: scripts
// with per-statement results, a time limit that cancels, a cancel from another thread, notices,
// COPY FROM STDIN, and what the connection says about itself.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "fixture.h"
#include "pgstack/pg/error_class.h"

namespace pgstack::testing {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

pg::Connection Direct() {
  auto c = TestStack::Shared().Direct();
  EXPECT_TRUE(c.ok()) << c.status().message();
  return std::move(*c);
}

// Active statements whose text starts with `prefix`, seen from another session.
int Running(const std::string& prefix) {
  auto other = TestStack::Shared().Superuser();
  EXPECT_TRUE(other.ok()) << other.status().message();
  auto r = other->Exec(
      "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND starts_with(query, $1)",
      {prefix});
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::stoi(r->scalar()) : -1;
}

TEST(PgConnection, ScriptKeepsEveryResultUpToTheFailingStatement) {
  pg::Connection c = Direct();
  // The server splits the text: the ';' inside the dollar quotes ends nothing.
  pg::ScriptResult r = c.ExecScript(
      "SELECT 1 AS a; DO $$BEGIN PERFORM 1; END$$; SELECT 'x;y' AS b; SELECT 1/0; SELECT 3 AS c");
  ASSERT_EQ(r.results.size(), 3u);
  EXPECT_EQ(r.results[0].get(0, "a"), "1");
  EXPECT_EQ(r.results[1].command(), "DO");
  EXPECT_EQ(r.results[2].get(0, "b"), "x;y");
  ASSERT_FALSE(r.error.ok());
  EXPECT_EQ(r.error.sqlstate(), "22012") << r.error.message();
  EXPECT_NE(r.error.message().find("division by zero"), std::string::npos);
  // The statement after the error never ran, and the connection is idle and usable.
  EXPECT_FALSE(c.in_transaction());
  auto after = c.Exec("SELECT 4");
  ASSERT_TRUE(after.ok()) << after.status().message();
  EXPECT_EQ(after->scalar(), "4");

  pg::ScriptResult clean = c.ExecScript("SELECT 1; SELECT 2");
  EXPECT_TRUE(clean.error.ok());
  EXPECT_EQ(clean.results.size(), 2u);
}

TEST(PgConnection, ExecWithinAnswersInTime) {
  pg::Connection c = Direct();
  auto r = c.ExecWithin("SELECT 42", milliseconds(5000));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->scalar(), "42");
  auto bad = c.ExecWithin("SELECT * FROM no_such_table_pgstack", milliseconds(5000));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(pg::Classify(bad.status()), pg::ErrorClass::kUndefinedObject);
}

TEST(PgConnection, ExecWithinCancelsWhatRunsTooLong) {
  pg::Connection c = Direct();
  auto t0 = Clock::now();
  auto r = c.ExecWithin("SELECT pg_sleep(60) /* pgstack within */", milliseconds(300));
  auto took = Clock::now() - t0;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(pg::Classify(r.status()), pg::ErrorClass::kQueryCanceled) << r.status().message();
  EXPECT_NE(r.status().message().find("no answer within 0.3 s"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("cancelled"), std::string::npos) << r.status().message();
  // Not before its limit: a load that wakes the waiter late cannot make this fail.
  EXPECT_GE(took, milliseconds(300));
  // The server stopped the statement (57014, not the end of its minute), and the connection is
  // usable again.
  EXPECT_EQ(Running("SELECT pg_sleep(60) /* pgstack within */"), 0);
  EXPECT_FALSE(c.broken());
  auto after = c.Exec("SELECT 'still here'");
  ASSERT_TRUE(after.ok()) << after.status().message();
  EXPECT_EQ(after->scalar(), "still here");
}

// verify's case: PgBouncer holds the query (here: the database is paused) and would wait
// query_wait_timeout for a server. ExecWithin returns in about its limit, and the connection is
// usable again or known broken, never left waiting on the held query.
TEST(PgConnection, ExecWithinReturnsWhilePgBouncerHoldsTheQuery) {
  auto admin = TestStack::Shared().Admin();
  ASSERT_TRUE(admin.ok()) << admin.status().message();
  const std::string& db = TestStack::Shared().endpoints().pooled.dbname;
  auto pooled = TestStack::Shared().Pooled();
  ASSERT_TRUE(pooled.ok()) << pooled.status().message();
  ASSERT_TRUE(admin->Run("PAUSE " + db).ok());
  // Returned at all while the database is still paused (RESUME comes after): it did not wait for
  // PgBouncer to let the query through.
  auto r = pooled->ExecWithin("SELECT 1", milliseconds(300));
  Status resumed = admin->Run("RESUME " + db);
  ASSERT_TRUE(resumed.ok()) << resumed.message();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(pg::Classify(r.status()), pg::ErrorClass::kQueryCanceled) << r.status().message();
  // (PgBouncer 1.18 does not answer the cancel of a client it holds: then the connection is
  // closed, and fails at once.)
  if (!pooled->broken()) {
    auto after = pooled->Exec("SELECT 2");
    ASSERT_TRUE(after.ok()) << after.status().message();
    EXPECT_EQ(after->scalar(), "2");
  } else {
    // Refused by libpq without a word to the server: nothing waits for the abandoned query.
    Status again = pooled->Run("SELECT 2");
    EXPECT_NE(again.message().find("no connection to the server"), std::string::npos)
        << again.message();
  }
  // The shared stack serves new clients again once PgBouncer dropped what it held (1.18 takes
  // its server_login_retry, 15 s, to log in again after the cancel it did not answer).
  Status serves = WaitFor(
      "a new pooled client to be served",
      [] {
        auto c = TestStack::Shared().Pooled();
        return c.ok() && c->Run("SELECT 1").ok();
      },
      std::chrono::seconds(40));
  EXPECT_TRUE(serves.ok()) << serves.message();
}

TEST(PgConnection, CancelHandleStopsAStatementFromAnotherThread) {
  pg::Connection c = Direct();
  auto handle = c.cancel_handle();
  ASSERT_TRUE(handle.ok()) << handle.status().message();
  std::thread canceller([&] {
    // Cancel once the statement runs (a cancel that arrives first cancels nothing).
    Status running = WaitFor(
        "the statement to run",
        [] { return Running("SELECT pg_sleep(60) /* pgstack cancel */") > 0; },
        std::chrono::seconds(10));
    EXPECT_TRUE(running.ok()) << running.message();
    EXPECT_TRUE(handle->Cancel().ok());
  });
  auto r = c.Exec("SELECT pg_sleep(60) /* pgstack cancel */");
  canceller.join();
  ASSERT_FALSE(r.ok());
  // Cancelled (57014), not ended by its minute of sleep.
  EXPECT_EQ(pg::Classify(r.status()), pg::ErrorClass::kQueryCanceled) << r.status().message();
  EXPECT_TRUE(c.Run("SELECT 1").ok());
}

TEST(PgConnection, NoticesGoToTheHandlerOrNowhere) {
  pg::Connection c = Direct();
  std::vector<pg::Notice> seen;
  c.SetNoticeHandler([&](const pg::Notice& n) { seen.push_back(n); });
  ASSERT_TRUE(c.Run("DO $$BEGIN RAISE NOTICE 'hello %', 42; RAISE WARNING 'careful'; END$$").ok());
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].severity, "NOTICE");
  EXPECT_EQ(seen[0].message, "hello 42");
  EXPECT_EQ(seen[0].sqlstate, "00000");
  EXPECT_EQ(seen[1].severity, "WARNING");
  EXPECT_EQ(seen[1].sqlstate, "01000");
  // The handler moves with the connection.
  pg::Connection moved = std::move(c);
  ASSERT_TRUE(moved.Run("DROP TABLE IF EXISTS no_such_table_pgstack").ok());
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_NE(seen[2].message.find("does not exist, skipping"), std::string::npos);
  moved.SetNoticeHandler(nullptr);
  ASSERT_TRUE(moved.Run("DO $$BEGIN RAISE NOTICE 'dropped'; END$$").ok());
  EXPECT_EQ(seen.size(), 3u);
}

TEST(PgConnection, CopyInLoadsTheBuffer) {
  pg::Connection c = Direct();
  ASSERT_TRUE(c.Run("CREATE TEMP TABLE copied (id int PRIMARY KEY, name text)").ok());
  auto r = c.CopyIn("COPY copied FROM STDIN", "1\tone\n2\t\\N\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->affected(), 2);
  auto rows = c.Exec("SELECT count(*), count(name) FROM copied");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->get(0, 0), "2");
  EXPECT_EQ(rows->get(0, 1), "1");

  // More than one chunk of data.
  std::string csv;
  for (int i = 3; i < 200'000; ++i) csv += std::to_string(i) + ",name " + std::to_string(i) + "\n";
  ASSERT_GT(csv.size(), size_t{1} << 21);
  auto big = c.CopyIn("COPY copied FROM STDIN (FORMAT csv)", csv);
  ASSERT_TRUE(big.ok()) << big.status().message();
  EXPECT_EQ(big->affected(), 199'997);
  EXPECT_EQ(c.Exec("SELECT sum(id) FROM copied")->scalar(),
            std::to_string(199'999LL * 200'000 / 2));
}

TEST(PgConnection, CopyInReportsBadRowsAndLeavesTheConnectionIdle) {
  pg::Connection c = Direct();
  ASSERT_TRUE(c.Run("CREATE TEMP TABLE copied (id int PRIMARY KEY, name text)").ok());
  auto bad = c.CopyIn("COPY copied FROM STDIN", "1\tone\nnot a number\ttwo\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().sqlstate(), "22P02") << bad.status().message();
  auto dup = c.CopyIn("COPY copied FROM STDIN", "1\tone\n1\tagain\n");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(pg::Classify(dup.status()), pg::ErrorClass::kUniqueViolation);
  auto missing = c.CopyIn("COPY no_such_table_pgstack FROM STDIN", "1\n");
  EXPECT_EQ(pg::Classify(missing.status()), pg::ErrorClass::kUndefinedObject);
  // Not a COPY FROM STDIN: refused.
  EXPECT_FALSE(c.CopyIn("SELECT 1", "").ok());
  // A COPY through Exec, which has no data to send, is ended rather than left hanging.
  EXPECT_FALSE(c.Exec("COPY copied FROM STDIN").ok());
  EXPECT_FALSE(c.Exec("COPY copied TO STDOUT").ok());
  EXPECT_EQ(c.Exec("SELECT count(*) FROM copied")->scalar(), "0");
}

TEST(PgConnection, KnowsItsLocalPortAndWhenItIsBroken) {
  auto pooled = TestStack::Shared().Pooled();
  ASSERT_TRUE(pooled.ok()) << pooled.status().message();
  int port = pooled->local_port();
  EXPECT_GT(port, 0);
  EXPECT_NE(port, TestStack::Shared().endpoints().pooled.port);
  // PgBouncer sees our connection arrive from that port.
  auto admin = TestStack::Shared().Admin();
  ASSERT_TRUE(admin.ok()) << admin.status().message();
  auto clients = admin->Exec("SHOW CLIENTS");
  ASSERT_TRUE(clients.ok()) << clients.status().message();
  bool listed = false;
  for (int i = 0; i < clients->rows(); ++i) {
    listed = listed || clients->get(i, "port") == std::to_string(port);
  }
  EXPECT_TRUE(listed);

  pg::Connection c = Direct();
  EXPECT_FALSE(c.broken());
  auto su = TestStack::Shared().Superuser();
  ASSERT_TRUE(su.ok());
  // With a timeout the call returns once the backend is gone.
  ASSERT_TRUE(
      su->Run("SELECT pg_terminate_backend($1, 5000)", {std::to_string(c.backend_pid())}).ok());
  EXPECT_FALSE(c.Run("SELECT 1").ok());
  EXPECT_TRUE(c.broken());
}

}  // namespace
}  // namespace pgstack::testing
