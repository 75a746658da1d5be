// testdb's catalog made by first runs at once, on the real server: the runs that waited for the
// first one leave the catalog it made alone, so that no ALTER TABLE of theirs queues behind a
// build and stalls the testdb statements behind it.
#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include "pgstack/testdb/catalog.h"
#include "testdb_helpers.h"

namespace pgstack::testing {
namespace {

constexpr char kDb[] = "testdb_catalog_race";

class TestdbCatalog : public ::testing::Test {
 protected:
  void SetUp() override {
    AdminScalar(std::string("DROP DATABASE IF EXISTS ") + kDb + " WITH (FORCE)");
    AdminScalar(std::string("CREATE DATABASE ") + kDb);
    in_db_ = TestStack::Shared().endpoints().superuser;
    in_db_.dbname = kDb;
  }
  void TearDown() override {
    AdminScalar(std::string("DROP DATABASE IF EXISTS ") + kDb + " WITH (FORCE)");
  }
  // How many sessions in the database wait for an advisory lock.
  std::string AdvisoryWaiters() {
    return AdminScalar(std::string("SELECT count(*) FROM pg_locks l JOIN pg_database d ON "
                                   "d.oid = l.database WHERE l.locktype = 'advisory' AND NOT "
                                   "l.granted AND d.datname = '") +
                       kDb + "'");
  }
  pg::ConnParams in_db_;
};

TEST_F(TestdbCatalog, ARunThatWaitedForTheFirstLeavesItsCatalogAloneWhileABuildHoldsIt) {
  auto first = pg::Connection::Open(in_db_);
  auto second = pg::Connection::Open(in_db_);
  ASSERT_TRUE(first.ok() && second.ok());
  // The lock EnsureCatalog takes, held by the first run's session from before the second looks.
  ASSERT_TRUE(first->Run("SELECT pg_advisory_lock(hashtext('pgstack_testdb catalog'))").ok());
  auto waited = std::async(std::launch::async, [&] { return testdb::EnsureCatalog(*second); });
  ASSERT_TRUE(WaitFor("the second run to wait for the first", [&] {
                return AdvisoryWaiters() == "1";
              }).ok());
  Status made = testdb::EnsureCatalog(*first);
  ASSERT_TRUE(made.ok()) << made.message();
  // A build in flight holds the table (a builder's row lock does) when the second run goes on.
  ASSERT_TRUE(first
                  ->Run("BEGIN; LOCK TABLE pgstack_testdb.templates IN ROW SHARE MODE; "
                        "SELECT pg_advisory_unlock(hashtext('pgstack_testdb catalog'))")
                  .ok());
  bool done_during_build = waited.wait_for(std::chrono::seconds(15)) == std::future_status::ready;
  ASSERT_TRUE(first->Run("COMMIT").ok());
  EXPECT_TRUE(done_during_build) << "the second run waited for the build to end";
  Status second_run = waited.get();
  EXPECT_TRUE(second_run.ok()) << second_run.message();
}

}  // namespace
}  // namespace pgstack::testing
