// `pgstack testdb serve` over real HTTP: every endpoint of IntegreSQL's API v1 with each of its
// status codes, isolation of the databases it hands out, one server per stack, and SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "pgstack/core/os.h"
#include "pgstack/core/wait.h"
#include "testdb_helpers.h"

namespace pgstack::testing {
namespace {

using nlohmann::json;

class Serve : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto port = core::FreePort("127.0.0.1");
    ASSERT_TRUE(port.ok());
    port_ = *port;
    log_ = TempDir("serve") + "/serve.log";
    pid_ = TestStack::Shared().SpawnPgstack(
        {"--verbose", "testdb", "--pool-size", "2", "--max-tests", "4", "serve", "--listen",
         "127.0.0.1:" + std::to_string(port_)},
        log_);
    Status up = AwaitHttp(port_, log_);
    ASSERT_TRUE(up.ok()) << up.message();
    ASSERT_EQ(HttpCall(port_, "GET", "/api/v1/templates/none/tests").status, 404) << ReadText(log_);
  }
  static void TearDownTestSuite() {
    if (pid_ > 0) KillAndReap(pid_);
  }
  static HttpReply Call(const std::string& method, const std::string& path,
                        const std::string& body = "") {
    return HttpCall(port_, method, "/api/v1" + path, body);
  }
  // A finalized template of hash holding table items with one row.
  static json MakeTemplate(const std::string& hash) {
    HttpReply r = Call("POST", "/templates", json{{"hash", hash}}.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    json t = r.json();
    ScalarAt(t,
             "CREATE TABLE items (id int PRIMARY KEY, note text); "
             "INSERT INTO items VALUES (1, 'seed'); SELECT 1");
    EXPECT_EQ(Call("PUT", "/templates/" + hash).status, 204);
    return t;
  }
  static inline int port_ = 0;
  static inline pid_t pid_ = -1;
  static inline std::string log_;
};

TEST_F(Serve, TemplateLifecycleAndItsStatusCodes) {
  HttpReply r = Call("POST", "/templates", R"({"hash":"life1"})");
  ASSERT_EQ(r.status, 200) << r.body;
  json t = r.json();
  EXPECT_EQ(t["database"]["templateHash"], "life1");
  // The template's own builder role, not the application's.
  EXPECT_EQ(t["database"]["config"]["username"], "pgstack_tpl_life1");
  EXPECT_EQ(Call("POST", "/templates", R"({"hash":"life1"})").status, 423);  // being built
  EXPECT_EQ(Call("PUT", "/templates/life1").status, 204);
  EXPECT_EQ(Call("PUT", "/templates/life1").status, 204);                    // again: fine
  EXPECT_EQ(Call("POST", "/templates", R"({"hash":"life1"})").status, 423);  // built already
  // The template itself takes no connections once finalized.
  EXPECT_EQ(AdminScalar("SELECT datallowconn::text || datistemplate::text FROM pg_database "
                        "WHERE datname = 'pgstack_tpl_life1'"),
            "falsetrue");
  EXPECT_EQ(Call("DELETE", "/templates/life1").status, 204);
  EXPECT_EQ(Call("GET", "/templates/life1/tests").status, 410);
  EXPECT_EQ(Call("DELETE", "/templates/life1").status, 410);
  EXPECT_EQ(AdminScalar("SELECT count(*) FROM pg_database WHERE datname LIKE '%life1%'"), "0");
  // A discarded hash can be initialized again.
  EXPECT_EQ(Call("POST", "/templates", R"({"hash":"life1"})").status, 200);
  EXPECT_EQ(Call("DELETE", "/templates/life1").status, 204);  // discarding one being built
}

TEST_F(Serve, BadRequestsAndUnknownThings) {
  EXPECT_EQ(Call("POST", "/templates", "not json").status, 400);
  EXPECT_EQ(Call("POST", "/templates", "{}").status, 400);
  EXPECT_EQ(Call("POST", "/templates", R"({"hash": 7})").status, 400);
  EXPECT_EQ(Call("POST", "/templates", R"({"hash":"no spaces"})").status, 400);
  EXPECT_EQ(Call("POST", "/templates", json{{"hash", std::string(41, 'a')}}.dump()).status, 400);
  EXPECT_EQ(Call("PUT", "/templates/nosuch").status, 404);
  EXPECT_EQ(Call("DELETE", "/templates/nosuch").status, 404);
  EXPECT_EQ(Call("GET", "/templates/nosuch/tests").status, 404);
  EXPECT_EQ(Call("POST", "/templates/nosuch/tests/1/unlock").status, 404);
  EXPECT_EQ(Call("GET", "/templates/bad%20hash/tests").status, 400);
  EXPECT_EQ(Call("GET", "/nothing").status, 404);
  EXPECT_EQ(Call("PATCH", "/templates/x").status, 405);
  HttpReply r = Call("GET", "/templates/nosuch/tests");
  EXPECT_TRUE(r.json().contains("message")) << r.body;
}

TEST_F(Serve, TestDatabasesAreIsolatedAndComeBackClean) {
  json t = MakeTemplate("iso1");
  HttpReply a = Call("GET", "/templates/iso1/tests");
  HttpReply b = Call("GET", "/templates/iso1/tests");
  ASSERT_EQ(a.status, 200) << a.body;
  ASSERT_EQ(b.status, 200) << b.body;
  json ja = a.json(), jb = b.json();
  EXPECT_NE(ja["id"], jb["id"]);
  EXPECT_NE(ja["database"]["config"]["database"], jb["database"]["config"]["database"]);
  EXPECT_NE(ja["database"]["config"]["database"], t["database"]["config"]["database"]);
  EXPECT_EQ(ja["database"]["templateHash"], "iso1");
  ScalarAt(ja, "INSERT INTO items VALUES (2, 'from a'); SELECT 1");
  EXPECT_EQ(ScalarAt(jb, "SELECT count(*) FROM items"), "1");
  EXPECT_EQ(ScalarAt(ja, "SELECT count(*) FROM items"), "2");
  std::string ida = std::to_string(ja["id"].get<int64_t>());
  std::string idb = std::to_string(jb["id"].get<int64_t>());
  EXPECT_EQ(Call("POST", "/templates/iso1/tests/" + ida + "/recreate").status, 204);
  EXPECT_EQ(Call("POST", "/templates/iso1/tests/" + idb + "/unlock").status, 204);
  EXPECT_EQ(Call("POST", "/templates/iso1/tests/abc/unlock").status, 400);
  EXPECT_EQ(Call("POST", "/templates/iso1/tests/abc/recreate").status, 400);
  EXPECT_EQ(Call("POST", "/templates/iso1/tests/999999/unlock").status, 404);
  EXPECT_EQ(Call("POST", "/templates/iso1/tests/999999/recreate").status, 404);
  // Every database handed out from now on is clean, and none twice at once (cap 4).
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    HttpReply r = Call("GET", "/templates/iso1/tests");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(ScalarAt(r.json(), "SELECT count(*) FROM items"), "1");
    ids.push_back(std::to_string(r.json()["id"].get<int64_t>()));
  }
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(std::unique(ids.begin(), ids.end()), ids.end());
  // The deprecated DELETE returns one as unlock does.
  EXPECT_EQ(Call("DELETE", "/templates/iso1/tests/" + ids[0]).status, 204);
  for (size_t i = 1; i < ids.size(); ++i) {
    EXPECT_EQ(Call("POST", "/templates/iso1/tests/" + ids[i] + "/recreate").status, 204);
  }
  EXPECT_EQ(Call("DELETE", "/templates/iso1").status, 204);
  EXPECT_EQ(Call("POST", "/templates/iso1/tests/" + ids[0] + "/unlock").status, 410);
  EXPECT_EQ(AdminScalar("SELECT count(*) FROM pg_database WHERE datname LIKE '%iso1%'"), "0");
}

// What a connection with these credentials to database gives: OK, or the server's refusal.
Status ConnectAs(const json& body, const std::string& database) {
  pg::ConnParams p = ParamsOf(body);
  p.dbname = database;
  return pg::Connection::Open(p).status();
}

TEST_F(Serve, ATestsCredentialsReachOnlyItsOwnDatabase) {
  json t = MakeTemplate("own1");
  json a = Call("GET", "/templates/own1/tests").json();
  json b = Call("GET", "/templates/own1/tests").json();
  std::string user = a["database"]["config"]["username"];
  std::string db_a = a["database"]["config"]["database"],
              db_b = b["database"]["config"]["database"];
  EXPECT_EQ(user, db_a);  // a role of its own, named as its database
  // In its own database it owns everything: it writes, alters the template's tables, creates.
  EXPECT_EQ(ScalarAt(a,
                     "INSERT INTO items VALUES (2, 'a'); ALTER TABLE items ADD COLUMN x int; "
                     "CREATE TABLE mine (id int); SELECT count(*) FROM items"),
            "2");
  // Nowhere else: neither another test's database nor the application's, nor postgres.
  EXPECT_FALSE(ConnectAs(a, db_b).ok());
  EXPECT_FALSE(ConnectAs(a, TestStack::Shared().env().postgres.database).ok());
  EXPECT_FALSE(ConnectAs(a, "postgres").ok());
  auto own = pg::Connection::Open(ParamsOf(a));
  ASSERT_TRUE(own.ok()) << own.status().message();
  EXPECT_FALSE(own->Run("DROP DATABASE " + own->QuoteIdent(db_b)).ok());
  EXPECT_EQ(AdminScalar("SELECT count(*) FROM pg_database WHERE datname = '" + db_b + "'"), "1");
  // It owns its database and nothing else on the server.
  EXPECT_EQ(AdminScalar("SELECT string_agg(datname, ',') FROM pg_database WHERE datdba = "
                        "(SELECT oid FROM pg_roles WHERE rolname = '" +
                        user + "')"),
            db_a);
  // The builder logs in no more once the template is sealed.
  EXPECT_EQ(t["database"]["config"]["username"], "pgstack_tpl_own1");
  EXPECT_EQ(AdminScalar("SELECT rolcanlogin FROM pg_roles WHERE rolname = 'pgstack_tpl_own1'"),
            "f");
  // Its role goes with its template.
  EXPECT_EQ(Call("DELETE", "/templates/own1").status, 204);
  EXPECT_EQ(AdminScalar("SELECT count(*) FROM pg_roles WHERE rolname LIKE 'pgstack\\_t%own1%'"),
            "0");
}

TEST_F(Serve, KeepAliveServesSeveralRequestsOnOneConnection) {
  int fd = ConnectLoopback(port_);
  ASSERT_GE(fd, 0);
  std::string two =
      "GET /api/v1/templates/ka1/tests HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /api/v1/templates/ka2/tests HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  ASSERT_EQ(write(fd, two.data(), two.size()), static_cast<ssize_t>(two.size()));
  std::string in;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) in.append(buf, static_cast<size_t>(n));
  close(fd);
  size_t first = in.find("HTTP/1.1 404");
  ASSERT_NE(first, std::string::npos) << in;
  EXPECT_NE(in.find("HTTP/1.1 404", first + 1), std::string::npos) << in;
}

TEST_F(Serve, PoolAtItsCapWaitsForADatabaseToComeBack) {
  MakeTemplate("cap1");
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {  // --max-tests 4
    HttpReply r = Call("GET", "/templates/cap1/tests");
    ASSERT_EQ(r.status, 200) << r.body;
  }
  // The server's get wait is 60 s by default: a fifth GET is answered when one comes back.
  std::atomic<bool> unlocking = false;
  std::string given;
  std::thread giver([&] {
    (void)core::Pause(std::chrono::milliseconds(500));  // the test holding it ends later
    given = AdminScalar(
        "SELECT min(id) FROM pgstack_testdb.tests WHERE hash = 'cap1' AND state = 'in_use'");
    unlocking = true;
    Call("POST", "/templates/cap1/tests/" + given + "/unlock");
  });
  HttpReply fifth = Call("GET", "/templates/cap1/tests");
  bool answered_after_unlock = unlocking;
  giver.join();
  EXPECT_EQ(fifth.status, 200) << fifth.body;
  EXPECT_TRUE(answered_after_unlock) << "answered before any database came back: " << fifth.body;
  // The database that came back, not a fifth one past the cap.
  json got = fifth.json();
  EXPECT_EQ(got.is_object() && got.contains("id") ? std::to_string(got["id"].get<int64_t>()) : "",
            given)
      << fifth.body;
  EXPECT_EQ(AdminScalar("SELECT count(*) FROM pg_database WHERE datname LIKE 'pgstack_tdb_cap1_%'"),
            "4");
  EXPECT_EQ(Call("DELETE", "/templates/cap1").status, 204);
}

TEST_F(Serve, ASecondServerSaysWhereTheFirstRuns) {
  auto out = TestStack::Shared().Pgstack({"testdb", "serve", "--listen", "127.0.0.1:0"});
  EXPECT_EQ(out.exit_code, 1) << out.output;
  EXPECT_NE(out.output.find("already runs"), std::string::npos) << out.output;
  EXPECT_NE(out.output.find("127.0.0.1:" + std::to_string(port_)), std::string::npos) << out.output;
}

TEST_F(Serve, ZzSigtermDrainsAndExitsZero) {  // last: it stops the suite's server
  EXPECT_EQ(Call("GET", "/templates/none/tests").status, 404);
  kill(pid_, SIGTERM);
  // (A server that ignored SIGTERM would run on: WaitExit's bound is only a hang guard.)
  int code = WaitExit(pid_, std::chrono::seconds(10));
  EXPECT_EQ(code, 0) << ReadText(log_);
  pid_ = -1;
  // --verbose logged each request.
  EXPECT_NE(ReadText(log_).find("GET /api/v1/templates/none/tests 404"), std::string::npos);
}

}  // namespace
}  // namespace pgstack::testing
