// The connection layer without a server: URLs and their redaction, SQLSTATE classification.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <set>

#include "pgstack/pg/conn_params.h"
#include "pgstack/pg/connection.h"
#include "pgstack/pg/error_class.h"
#include "pgstack/pg/libpq_env.h"
#include "pgstack/pg/ping.h"

namespace pgstack::pg {
namespace {

ConnParams Sample() {
  return ConnParams{.host = "127.0.0.1",
                    .port = 6432,
                    .user = "test_platform_user",
                    .dbname = "test_platform",
                    .password = "p@ss:w/rd'\"",
                    .sslmode = "disable"};
}

// The list pgstack clears holds every variable the linked libpq takes a parameter's default from.
TEST(LibpqEnv, ListsEveryVariableLibpqReads) {
  auto listed = LibpqVariables();
  std::set<std::string> ours(listed.begin(), listed.end());
  EXPECT_EQ(ours.size(), listed.size()) << "a variable listed twice";
  PQconninfoOption* defaults = PQconndefaults();
  ASSERT_NE(defaults, nullptr);
  for (PQconninfoOption* o = defaults; o->keyword; ++o) {
    if (o->envvar) {
      EXPECT_TRUE(ours.contains(o->envvar)) << o->envvar;
    }
  }
  PQconninfoFree(defaults);
}

TEST(LibpqEnv, ClearRemovesThemFromTheProcess) {
  ::setenv("PGOPTIONS", "-c search_path=nowhere", 1);
  ::setenv("PGSERVICE", "nowhere", 1);
  ::setenv("PGSTACK_NOT_LIBPQS", "kept", 1);
  ClearLibpqEnvironment();
  EXPECT_EQ(std::getenv("PGOPTIONS"), nullptr);
  EXPECT_EQ(std::getenv("PGSERVICE"), nullptr);
  EXPECT_STREQ(std::getenv("PGSTACK_NOT_LIBPQS"), "kept");
  ::unsetenv("PGSTACK_NOT_LIBPQS");
}

TEST(ConnParams, UrlEncodesEveryPart) {
  EXPECT_EQ(ToUrl(Sample(), Redact::kNo),
            "postgresql://test_platform_user:p%40ss%3Aw%2Frd%27%22@127.0.0.1:6432/"
            "test_platform?sslmode=disable");
}

TEST(ConnParams, RedactedUrlHasNoPassword) {
  std::string url = ToUrl(Sample(), Redact::kYes);
  EXPECT_EQ(url.find("p@ss"), std::string::npos);
  EXPECT_EQ(url.find("p%40ss"), std::string::npos);
  EXPECT_NE(url.find("********"), std::string::npos);
}

TEST(ConnParams, SocketDirectoryBecomesHostParameter) {
  ConnParams p{.host = "/tmp/run", .port = 5432, .user = "postgres", .dbname = "postgres"};
  EXPECT_EQ(ToUrl(p, Redact::kYes), "postgresql://postgres@:5432/postgres?host=%2Ftmp%2Frun");
}

TEST(ConnParams, UrlRoundTripsThroughLibpq) {
  auto back = ParseConnString(ToUrl(Sample(), Redact::kNo), ConnParams{});
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->password, Sample().password);
  EXPECT_EQ(back->user, "test_platform_user");
  EXPECT_EQ(back->port, 6432);
  EXPECT_EQ(back->sslmode, "disable");
}

TEST(ConnParams, KeywordStringsParseToo) {
  auto p = ParseConnString("host=db port=5433 user=a dbname=b", ConnParams{.dbname = "x"});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->host, "db");
  EXPECT_EQ(p->port, 5433);
  EXPECT_EQ(p->dbname, "b");
}

TEST(ConnParams, LibpqParamsOmitEmptyValues) {
  ConnParams p{.host = "h", .port = 1, .user = "u", .dbname = "d"};
  LibpqParams kv(p);
  std::vector<std::string> keys;
  for (const char* k : kv.keywords)
    if (k) keys.push_back(k);
  EXPECT_EQ(std::count(keys.begin(), keys.end(), "password"), 0);
  EXPECT_EQ(std::count(keys.begin(), keys.end(), "host"), 1);
  EXPECT_EQ(kv.keywords.back(), nullptr);
}

TEST(ConnParams, GssEncModeReachesLibpqAndRoundTrips) {
  ConnParams p = Sample();
  p.gssencmode = "disable";
  LibpqParams kv(p);
  bool passed = false;
  for (size_t i = 0; kv.keywords[i]; ++i)
    passed = passed || (std::string(kv.keywords[i]) == "gssencmode" &&
                        std::string(kv.values[i]) == "disable");
  EXPECT_TRUE(passed);
  auto back = ParseConnString(ToUrl(p, Redact::kNo), ConnParams{});
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->gssencmode, "disable");
  EXPECT_EQ(LibpqParams(Sample()).keywords.size(), kv.keywords.size() - 1);
}

TEST(ErrorClass, BySqlState) {
  EXPECT_EQ(Classify("53300"), ErrorClass::kTooManyConnections);
  EXPECT_EQ(Classify("40001"), ErrorClass::kSerializationFailure);
  EXPECT_EQ(Classify("40P01"), ErrorClass::kDeadlock);
  EXPECT_EQ(Classify("55P03"), ErrorClass::kLockNotAvailable);
  EXPECT_EQ(Classify("57014"), ErrorClass::kQueryCanceled);
  EXPECT_EQ(Classify("42501"), ErrorClass::kInsufficientPrivilege);
  EXPECT_EQ(Classify("42601"), ErrorClass::kSyntaxOrAccess);
  EXPECT_EQ(Classify("42P07"), ErrorClass::kDuplicateObject);
  EXPECT_EQ(Classify("42P01"), ErrorClass::kUndefinedObject);
  EXPECT_EQ(Classify("25001"), ErrorClass::kActiveSqlTransaction);
  EXPECT_EQ(Classify("08006"), ErrorClass::kConnection);
  EXPECT_EQ(Classify(""), ErrorClass::kConnection);
  EXPECT_EQ(Classify("22012"), ErrorClass::kOther);
  EXPECT_EQ(Classify(Status::Ok()), ErrorClass::kNone);
  EXPECT_EQ(Classify(Status::Postgres("x", "55P03")), ErrorClass::kLockNotAvailable);
}

TEST(ErrorClass, ConcurrencyConflictsAreRetriedOnTheSameConnection) {
  EXPECT_TRUE(IsConcurrencyConflict(Classify("40001")));
  EXPECT_TRUE(IsConcurrencyConflict(Classify("40P01")));
  EXPECT_TRUE(IsConcurrencyConflict(Classify("55P03")));
  // A full or restarting server needs a new connection, not the same transaction again.
  EXPECT_FALSE(IsConcurrencyConflict(Classify("53300")));
  EXPECT_FALSE(IsConcurrencyConflict(Classify("57P01")));
  EXPECT_FALSE(IsConcurrencyConflict(Classify("57014")));
  EXPECT_FALSE(IsConcurrencyConflict(Classify("")));
  EXPECT_FALSE(IsConcurrencyConflict(Classify("42601")));
}

TEST(ErrorClass, StatementFaultsAreClasses42And22) {
  EXPECT_TRUE(IsStatementFault("42601"));  // syntax error
  EXPECT_TRUE(IsStatementFault("42P01"));  // undefined table
  EXPECT_TRUE(IsStatementFault("22025"));  // invalid escape sequence
  EXPECT_TRUE(IsStatementFault("22P02"));  // invalid text representation
  EXPECT_FALSE(IsStatementFault("08006"));
  EXPECT_FALSE(IsStatementFault("57P01"));
  EXPECT_FALSE(IsStatementFault("P0001"));
  EXPECT_FALSE(IsStatementFault(""));
  EXPECT_FALSE(IsStatementFault("42"));
  EXPECT_FALSE(IsStatementFault(Status::Ok()));
  EXPECT_TRUE(IsStatementFault(Status::Postgres("x", "22012")));
  EXPECT_FALSE(IsStatementFault(Status::Postgres("x", "40001")));
}

TEST(ErrorClass, SyntaxErrorIsOnly42601) {
  EXPECT_TRUE(IsSyntaxError(Status::Postgres("syntax error at or near", "42601")));
  EXPECT_FALSE(IsSyntaxError(Status::Postgres("relation does not exist", "42P01")));
  EXPECT_FALSE(IsSyntaxError(Status::Failure("syntax error")));  // no SQLSTATE: not the server's
  EXPECT_FALSE(IsSyntaxError(Status::Ok()));
}

TEST(ErrorClass, ConnectErrorsRecoverTheirSqlState) {
  EXPECT_EQ(SqlStateOfConnectError("FATAL:  sorry, too many clients already"), "53300");
  EXPECT_EQ(SqlStateOfConnectError("FATAL:  password authentication failed for user \"x\""),
            "28P01");
  EXPECT_EQ(SqlStateOfConnectError("could not connect: Connection refused"), "");
}

TEST(Connection, FailureNamesTheTargetButNotThePassword) {
  ConnParams p = Sample();
  p.port = 1;  // nothing listens on port 1
  p.connect_timeout_s = 2;
  auto c = Connection::Open(p);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("127.0.0.1:1"), std::string::npos) << c.status().message();
  EXPECT_EQ(c.status().message().find("p@ss"), std::string::npos);
  EXPECT_EQ(Classify(c.status()), ErrorClass::kConnection);
}

TEST(Ping, NothingListeningIsNoResponseAndBadParametersNoAttempt) {
  ConnParams p = Sample();
  p.port = 1;  // nothing listens on port 1
  p.connect_timeout_s = 2;
  EXPECT_EQ(Ping(p), PingResult::kNoResponse);
  p.sslmode = "sometimes";
  EXPECT_EQ(Ping(p), PingResult::kNoAttempt);
}

}  // namespace
}  // namespace pgstack::pg
