// testdb through PgBouncer (--pooled): the fallback entry of the rendered pgbouncer.ini routes
// every test database's name to the server, with the application role's credentials, from the
// CLI and from `serve --pooled`; templates built through PgBouncer seal and clone as usual.
#include <gtest/gtest.h>
#include <signal.h>

#include "pgstack/core/os.h"
#include "testdb_helpers.h"

namespace pgstack::testing {
namespace {

using nlohmann::json;

// "<database> <server port>" as seen by a session in the database body names: the server's own
// port while we dialled PgBouncer's is the proof that PgBouncer relayed it.
std::string WhereAt(const json& body) {
  return ScalarAt(body, "SELECT current_database() || ' ' || inet_server_port()");
}

TEST(TestdbPooled, GetHandsOutPgBouncersEndpointAndItRoutesTheTestDatabase) {
  const TestStack& s = TestStack::Shared();
  std::string dir = TempDir("tdbpool");
  WriteText(dir + "/0001_t.sql", "CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);\n");
  auto out =
      s.Pgstack({"--json", "testdb", "--pooled", "get", "--dir", dir}, {}, Capture::kStdoutOnly);
  ASSERT_EQ(out.exit_code, 0) << out.output;
  json got = json::parse(out.output, nullptr, false);
  ASSERT_TRUE(got.contains("config")) << out.output;
  json body = {{"database", {{"config", got["config"]}}}};
  EXPECT_EQ(got["config"]["port"], s.endpoints().pooled.port);
  EXPECT_EQ(got["config"]["host"], s.endpoints().pooled.host);
  std::string db = got["config"]["database"];
  EXPECT_EQ(WhereAt(body), db + " " + std::to_string(s.endpoints().direct.port));
  EXPECT_EQ(ScalarAt(body, "SELECT count(*) FROM t"), "1");
  // Returned with --recreate while PgBouncer still holds a server connection to it.
  auto ret =
      s.Pgstack({"testdb", "return", std::to_string(got["id"].get<int64_t>()), "--recreate"});
  EXPECT_EQ(ret.exit_code, 0) << ret.output;
  EXPECT_EQ(ScalarAt(body, "SELECT count(*) FROM t"), "1");
  EXPECT_EQ(s.Pgstack({"testdb", "gc", "--all"}).exit_code, 0);
}

TEST(TestdbPooled, ServePooledBuildsAndHandsOutThroughPgBouncer) {
  const TestStack& s = TestStack::Shared();
  core::PortLock port = TakePort();
  std::string log = TempDir("tdbpoolserve") + "/serve.log";
  pid_t pid = s.SpawnPgstack({"testdb", "--pooled", "--pool-size", "2", "serve", "--listen",
                              "127.0.0.1:" + std::to_string(port.port())},
                             log);
  auto call = [&](const std::string& method, const std::string& path, const std::string& b = "") {
    return HttpCall(port.port(), method, "/api/v1" + path, b);
  };
  Status up = AwaitHttp(port.port(), log);
  ASSERT_TRUE(up.ok()) << up.message();
  HttpReply t = call("POST", "/templates", R"({"hash":"pooled1"})");
  ASSERT_EQ(t.status, 200) << t.body;
  EXPECT_EQ(t.json()["database"]["config"]["port"], s.endpoints().pooled.port);
  // The client builds its template through PgBouncer, which keeps that server connection.
  ScalarAt(t.json(), "CREATE TABLE items (id int); INSERT INTO items VALUES (1); SELECT 1");
  ASSERT_EQ(call("PUT", "/templates/pooled1").status, 204) << ReadText(log);
  HttpReply a = call("GET", "/templates/pooled1/tests");
  ASSERT_EQ(a.status, 200) << a.body << ReadText(log);
  json ja = a.json();
  EXPECT_EQ(ja["database"]["config"]["port"], s.endpoints().pooled.port);
  std::string db = ja["database"]["config"]["database"];
  EXPECT_EQ(WhereAt(ja), db + " " + std::to_string(s.endpoints().direct.port));
  ScalarAt(ja, "INSERT INTO items VALUES (2); SELECT 1");
  std::string id = std::to_string(ja["id"].get<int64_t>());
  EXPECT_EQ(call("POST", "/templates/pooled1/tests/" + id + "/recreate").status, 204);
  HttpReply b = call("GET", "/templates/pooled1/tests");
  ASSERT_EQ(b.status, 200) << b.body;
  EXPECT_EQ(ScalarAt(b.json(), "SELECT count(*) FROM items"), "1");
  EXPECT_EQ(call("DELETE", "/templates/pooled1").status, 204) << ReadText(log);
  EXPECT_EQ(AdminScalar("SELECT count(*) FROM pg_database WHERE datname LIKE '%pooled1%'"), "0");
  kill(pid, SIGTERM);
  EXPECT_EQ(WaitExit(pid, std::chrono::seconds(20)), 0) << ReadText(log);
}

}  // namespace
}  // namespace pgstack::testing
