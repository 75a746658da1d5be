// Provision when a role it found missing is created by someone else before its own CREATE runs
// (an `up` killed during CREATE ROLE leaves its backend to finish it; another `up` may race it):
// it checks the role that appeared, as one that existed, instead of failing.
#include <gtest/gtest.h>

#include <future>

#include "fixture.h"
#include "pgstack/core/scram.h"
#include "pgstack/stack/provision.h"

namespace pgstack::testing {
namespace {

// Provision of cfg on the shared stack, in a thread of its own.
std::future<Result<stack::ProvisionResult>> ProvisionInBackground(core::PostgresConfig cfg) {
  return std::async(std::launch::async, [cfg]() -> Result<stack::ProvisionResult> {
    const TestStack& s = TestStack::Shared();
    PGSTACK_ASSIGN_OR_RETURN(auto admin, s.Superuser());
    auto open_db = [&](const std::string& db) {
      pg::ConnParams p = s.endpoints().superuser;
      p.dbname = db;
      return pg::Connection::Open(p);
    };
    return stack::Provision(admin, open_db, cfg);
  });
}

// Waits until Provision's `statement` waits on the lock that `other`'s open transaction holds,
// then commits `other` (always, so that Provision ends): what Provision found missing appears
// while its own CREATE waits. The wait's status.
Status CommitOnceWaitedOn(pg::Connection& watcher, pg::Connection& other,
                          const std::string& statement) {
  Status blocked = WaitFor("Provision's " + statement + " waiting on the other one", [&] {
    auto n = watcher.Exec(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1",
        {statement + "%"});
    return n.ok() && n->scalar() == "1";
  });
  Status committed = other.Run("COMMIT");
  return blocked.ok() ? committed : blocked;
}

TEST(ProvisionRace, ARoleCreatedBeforeItsOwnCreateIsCheckedNotAnError) {
  const TestStack& s = TestStack::Shared();
  core::PostgresConfig cfg = s.env().postgres;
  cfg.user = "pgstack_race_role";
  cfg.database = "pgstack_race_db";
  cfg.password = "race-password";
  cfg.extensions.clear();
  auto other = s.Superuser();
  ASSERT_TRUE(other.ok()) << other.status().message();
  // Not yet committed: Provision sees no role, and its CREATE ROLE waits on this one's row.
  ASSERT_TRUE(other->Run("BEGIN").ok());
  ASSERT_TRUE(other->Run("CREATE ROLE " + cfg.user).ok());

  auto provisioned = ProvisionInBackground(cfg);
  auto watcher = s.Superuser();
  ASSERT_TRUE(watcher.ok()) << watcher.status().message();
  Status blocked = CommitOnceWaitedOn(*watcher, *other, "CREATE ROLE");
  ASSERT_TRUE(blocked.ok()) << blocked.message();

  auto result = provisioned.get();
  ASSERT_TRUE(result.ok()) << result.status().message();
  auto role = watcher->Exec("SELECT rolpassword, rolcanlogin FROM pg_authid WHERE rolname = $1",
                            {cfg.user});
  ASSERT_TRUE(role.ok() && role->rows() == 1);
  EXPECT_EQ(role->get(0, "rolcanlogin"), "t");
  EXPECT_TRUE(core::ScramVerifierMatches(role->get(0, "rolpassword"), cfg.password));
  std::string actions;
  for (const auto& a : result->actions) actions += stack::ActionLine(a) + "\n";
  EXPECT_EQ(actions.find("created role"), std::string::npos) << actions;
  EXPECT_NE(actions.find("set the password of role " + cfg.user), std::string::npos) << actions;

  EXPECT_TRUE(watcher->Run("DROP DATABASE " + cfg.database).ok());
  EXPECT_TRUE(watcher->Run("DROP OWNED BY " + cfg.user).ok());
  EXPECT_TRUE(watcher->Run("DROP ROLE " + cfg.user).ok());
}

// The same for an extension: CREATE EXTENSION IF NOT EXISTS does not cover one that another
// session commits while this CREATE waits on it (a unique violation on pg_extension's name).
TEST(ProvisionRace, AnExtensionCreatedBeforeItsOwnCreateIsNotAnError) {
  const TestStack& s = TestStack::Shared();
  core::PostgresConfig cfg = s.env().postgres;
  cfg.user = "pgstack_race_ext_role";
  cfg.database = "pgstack_race_ext_db";
  cfg.password = "race-password";
  cfg.extensions = {"btree_gist"};
  auto watcher = s.Superuser();
  ASSERT_TRUE(watcher.ok()) << watcher.status().message();
  ASSERT_TRUE(watcher->Run("CREATE DATABASE " + cfg.database).ok());
  pg::ConnParams in_db = s.endpoints().superuser;
  in_db.dbname = cfg.database;
  auto other = pg::Connection::Open(in_db);
  ASSERT_TRUE(other.ok()) << other.status().message();
  // Not yet committed: Provision sees no extension, and its CREATE waits on this one.
  ASSERT_TRUE(other->Run("BEGIN").ok());
  ASSERT_TRUE(other->Run("CREATE EXTENSION btree_gist").ok());

  auto provisioned = ProvisionInBackground(cfg);
  Status blocked = CommitOnceWaitedOn(*watcher, *other, "CREATE EXTENSION");
  ASSERT_TRUE(blocked.ok()) << blocked.message();

  auto result = provisioned.get();
  EXPECT_TRUE(result.ok()) << result.status().message();
  other = Status::Failure("closed");  // its session must end before the database is dropped
  EXPECT_TRUE(watcher->Run("DROP DATABASE " + cfg.database).ok());
  EXPECT_TRUE(watcher->Run("DROP OWNED BY " + cfg.user).ok());
  EXPECT_TRUE(watcher->Run("DROP ROLE " + cfg.user).ok());
}

}  // namespace
}  // namespace pgstack::testing
