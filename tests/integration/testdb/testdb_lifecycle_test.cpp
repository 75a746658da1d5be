// testdb across the stack's own life, on a stack of its own (these tests stop its server): the
// server's PostgreSQL going away and coming back under a running `serve`, and `down`, after
// which nothing of testdb's is left.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>

#include "testdb_helpers.h"

namespace pgstack::testing {
namespace {

using nlohmann::json;

class TestdbLifecycle : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { stack_ = TestStack::Start().release(); }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }
  static TestStack& S() { return *stack_; }
  static Status Restart() {
    return stack::Up(S().env(), stack::UpOptions{.state_dir = S().state_dir()}).status();
  }
  static inline TestStack* stack_ = nullptr;
};

TEST_F(TestdbLifecycle, ServeAnswers503WhilePostgresIsDownAndRecoversWhenItIsBack) {
  core::PortLock port = TakePort();
  std::string log = TempDir("tdb503") + "/serve.log";
  pid_t pid =
      S().SpawnPgstack({"testdb", "--pool-size", "1", "--max-tests", "1", "--get-wait", "1s",
                        "serve", "--listen", "127.0.0.1:" + std::to_string(port.port())},
                       log);
  auto call = [&](const std::string& method, const std::string& path, const std::string& b = "") {
    return HttpCall(port.port(), method, "/api/v1" + path, b);
  };
  Status up = AwaitHttp(port.port(), log);
  ASSERT_TRUE(up.ok()) << up.message();
  HttpReply t = call("POST", "/templates", R"({"hash":"down1"})");
  ASSERT_EQ(t.status, 200) << t.body;
  ASSERT_EQ(call("PUT", "/templates/down1").status, 204);
  HttpReply held = call("GET", "/templates/down1/tests");
  ASSERT_EQ(held.status, 200) << held.body;
  // The pool at its cap (--max-tests 1): past --get-wait, 503 naming the cap.
  HttpReply capped = call("GET", "/templates/down1/tests");
  EXPECT_EQ(capped.status, 503) << capped.body;
  EXPECT_NE(capped.body.find("(the cap, --max-tests)"), std::string::npos) << capped.body;
  std::string id = std::to_string(held.json()["id"].get<int64_t>());
  ASSERT_EQ(call("POST", "/templates/down1/tests/" + id + "/unlock").status, 204);

  // PostgreSQL (and PgBouncer) stopped under the running server: 503 for every request that
  // needs the server, with a message; not 500, not a hang.
  ASSERT_TRUE(stack::Down(S().state_dir()).ok());
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/templates/down1/tests"},
           {"PUT", "/templates/down1"},
           {"POST", "/templates/down1/tests/" + id + "/unlock"}}) {
    HttpReply r = call(method, path);
    EXPECT_EQ(r.status, 503) << method << " " << path << ": " << r.body;
    EXPECT_TRUE(r.json().contains("message")) << r.body;
  }
  EXPECT_EQ(call("POST", "/templates", R"({"hash":"down2"})").status, 503);

  // Back: the very first request is answered as before the outage (connections that died with
  // the server are not handed to it).
  ASSERT_TRUE(Restart().ok());
  HttpReply again = call("GET", "/templates/down1/tests");
  EXPECT_EQ(again.status, 200) << again.body << ReadText(log);
  EXPECT_EQ(ScalarAt(again.json(), "SELECT current_database()"),
            again.json()["database"]["config"]["database"]);
  // A restart between two requests: the server's idle connections all died, unnoticed.
  std::string again_id = std::to_string(again.json()["id"].get<int64_t>());
  ASSERT_TRUE(stack::Down(S().state_dir()).ok());
  ASSERT_TRUE(Restart().ok());
  EXPECT_EQ(call("POST", "/templates/down1/tests/" + again_id + "/unlock").status, 204)
      << ReadText(log);
  EXPECT_EQ(call("GET", "/templates/down1/tests").status, 200) << ReadText(log);
  kill(pid, SIGTERM);
  EXPECT_EQ(WaitExit(pid, std::chrono::seconds(20)), 0) << ReadText(log);
}

TEST_F(TestdbLifecycle, DownDropsTestdbsDatabasesAndNothingElseAndDestroyLeavesNothing) {
  std::string dir = TempDir("tdbdown");
  WriteText(dir + "/0001_t.sql", "CREATE TABLE t (id int);\n");
  auto got = S().Pgstack({"testdb", "get", "--dir", dir});  // a template and a test database
  ASSERT_EQ(got.exit_code, 0) << got.output;
  // A serve in the middle of a build: it holds the template's row, and down must not wait on it.
  core::PortLock port = TakePort();
  std::string log = TempDir("tdbdownserve") + "/serve.log";
  pid_t pid = S().SpawnPgstack(
      {"testdb", "serve", "--listen", "127.0.0.1:" + std::to_string(port.port())}, log);
  Status up = AwaitHttp(port.port(), log);
  ASSERT_TRUE(up.ok()) << up.message();
  HttpReply building = HttpCall(port.port(), "POST", "/api/v1/templates", R"({"hash":"midbuild"})");
  ASSERT_EQ(building.status, 200) << building.body;
  // Look-alikes that are not testdb's: the prefix without the comment, the comment without it.
  auto su = S().Superuser();
  ASSERT_TRUE(su.ok());
  ASSERT_TRUE(su->Run("CREATE DATABASE pgstack_tdb_lookalike_1").ok());
  ASSERT_TRUE(su->Run("CREATE DATABASE unrelated_db").ok());
  ASSERT_TRUE(su->Run("COMMENT ON DATABASE unrelated_db IS 'pgstack testdb test'").ok());
  const std::string kLeft =
      "SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database "
      "WHERE datname LIKE 'pgstack\\_t%' OR datname = 'unrelated_db'";
  EXPECT_NE(AdminScalar(kLeft, S()), "pgstack_tdb_lookalike_1,unrelated_db");

  auto down = S().Pgstack({"--json", "down"}, {}, Capture::kStdoutOnly);
  ASSERT_EQ(down.exit_code, 0) << down.output;
  json report = json::parse(down.output, nullptr, false);
  // Two templates, the test database handed out, and the warm pool serve made of it meanwhile.
  EXPECT_GE(report["testdb_databases_dropped"].get<int>(), 3) << down.output;
  ASSERT_TRUE(Restart().ok());
  EXPECT_EQ(AdminScalar(kLeft, S()), "pgstack_tdb_lookalike_1,unrelated_db");
  EXPECT_EQ(AdminScalar("SELECT (SELECT count(*) FROM pgstack_testdb.templates) + "
                        "(SELECT count(*) FROM pgstack_testdb.tests)",
                        S()),
            "0");
  kill(pid, SIGTERM);
  EXPECT_EQ(WaitExit(pid, std::chrono::seconds(20)), 0) << ReadText(log);

  // destroy: the data directory, and every database in it, is gone.
  auto destroy = S().Pgstack({"destroy", "--yes"});
  EXPECT_EQ(destroy.exit_code, 0) << destroy.output;
  EXPECT_FALSE(std::filesystem::exists(S().state_dir()));
}

}  // namespace
}  // namespace pgstack::testing
