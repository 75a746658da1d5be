// What the testdb integration tests share beyond the fixture, child.h and http_client.h: queries
// as the administrator on a stack, and in a database that a testdb JSON body names.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "child.h"
#include "fixture.h"
#include "http_client.h"

namespace pgstack::testing {

// A scalar as the administrator in the maintenance database of stack (the shared one by default).
inline std::string AdminScalar(const std::string& sql,
                               const TestStack& stack = TestStack::Shared()) {
  auto c = stack.Superuser();
  EXPECT_TRUE(c.ok()) << c.status().message();
  if (!c.ok()) return "";
  auto r = c->Exec(sql);
  EXPECT_TRUE(r.ok()) << sql << ": " << r.status().message();
  return r.ok() ? r->scalar() : "";
}

// The connection a testdb JSON body names ({"database": {"config": ...}}), with its credentials.
inline pg::ConnParams ParamsOf(const nlohmann::json& body) {
  const nlohmann::json& c = body["database"]["config"];
  return pg::ConnParams{.host = c["host"],
                        .port = c["port"],
                        .user = c["username"],
                        .dbname = c["database"],
                        .password = c["password"],
                        .sslmode = "disable"};
}

// A scalar in the database a testdb JSON body names, with the credentials it hands out.
inline std::string ScalarAt(const nlohmann::json& body, const std::string& sql) {
  auto conn = pg::Connection::Open(ParamsOf(body));
  EXPECT_TRUE(conn.ok()) << conn.status().message();
  if (!conn.ok()) return "<no connection>";
  auto r = conn->Exec(sql);
  EXPECT_TRUE(r.ok()) << sql << ": " << r.status().message();
  return r.ok() ? r->scalar() : "<error>";
}

// Waits (bounded) until something answers HTTP on port.
inline Status AwaitHttp(int port, const std::string& log) {
  Status up = WaitFor(
      "the server on port " + std::to_string(port) + " to answer",
      [&] { return HttpCall(port, "GET", "/api/v1/templates/x/tests").status != 0; },
      std::chrono::seconds(30));
  return up.ok() ? up : Status::Failure(up.message() + "\n" + ReadText(log));
}

}  // namespace pgstack::testing
