// Template hashes and the database names testdb derives from them.
#include <gtest/gtest.h>

#include "pgstack/testdb/names.h"
#include "pgstack/testdb/options.h"
#include "pgstack/testdb/outcome.h"

namespace pgstack::testdb {
namespace {

TEST(TestdbNames, HashesThatFitADatabaseNameAreAccepted) {
  EXPECT_TRUE(ValidateHash("0123456789abcdef0123456789abcdef").ok());  // an md5, as clients send
  EXPECT_TRUE(ValidateHash("My_hash-1").ok());
  EXPECT_TRUE(ValidateHash(std::string(kMaxHashLength, 'a')).ok());
  // Every name testdb derives stays within PostgreSQL's 63 bytes.
  EXPECT_LE(
      TestDatabaseStem(std::string(kMaxHashLength, 'a')).size() + std::to_string(kMaxTestId).size(),
      63u);
  EXPECT_LE(TemplateDatabaseName(std::string(kMaxHashLength, 'a')).size(), 63u);
}

TEST(TestdbNames, OtherHashesAreBadRequests) {
  for (std::string bad :
       {std::string(), std::string(kMaxHashLength + 1, 'a'), std::string("a b"), std::string("a/b"),
        std::string("a\"b"), std::string("ä"), std::string("a\0b", 3)}) {
    Status s = ValidateHash(bad);
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_EQ(OutcomeOf(s), Outcome::kBadRequest) << bad;
    EXPECT_EQ(s.exit_code(), 2);
  }
}

TEST(TestdbNames, TemplateAndTestNamesCannotCollide) {
  EXPECT_EQ(TemplateDatabaseName("h"), "pgstack_tpl_h");
  EXPECT_EQ(TestDatabaseStem("h") + "7", "pgstack_tdb_h_7");
  // The stem ends in "_": hash "a_1" with id 23 is not hash "a_12" with id 3.
  EXPECT_NE(TestDatabaseStem("a_1") + "23", TestDatabaseStem("a_12") + "3");
}

TEST(TestdbNames, TestIdsAreDecimalIntegers) {
  EXPECT_EQ(ParseTestId("42"), 42);
  EXPECT_EQ(ParseTestId("-1"), -1);
  EXPECT_EQ(ParseTestId("+5"), 5);
  for (const char* bad : {"", "abc", "1x", " 1", "99999999999999999999", "+"}) {
    EXPECT_FALSE(ParseTestId(bad).has_value()) << bad;
  }
}

TEST(TestdbOutcome, KindsMapToIntegresqlStatusCodes) {
  EXPECT_EQ(HttpStatusOf(OutcomeOf(NotFound("x"))), 404);
  EXPECT_EQ(HttpStatusOf(OutcomeOf(Gone("x"))), 410);
  EXPECT_EQ(HttpStatusOf(OutcomeOf(Locked("x"))), 423);
  EXPECT_EQ(HttpStatusOf(OutcomeOf(Unavailable("x"))), 503);
  EXPECT_EQ(HttpStatusOf(OutcomeOf(Status::InvalidInput("x"))), 400);
  EXPECT_EQ(HttpStatusOf(OutcomeOf(Status::Failure("x"))), 500);
  EXPECT_EQ(HttpStatusOf(OutcomeOf(Status::Postgres("x", "55P03"))), 423);
  EXPECT_EQ(HttpStatusOf(OutcomeOf(Status::Postgres("x", "57P01"))), 503);
}

TEST(TestdbOptions, DefaultsComeFromTheCoresAndBadSizesAreRefused) {
  Options o;
  ASSERT_TRUE(Complete(o).ok());
  EXPECT_GE(o.pool_size, 8);
  EXPECT_GE(o.max_tests, o.pool_size);
  EXPECT_GE(o.workers, 2);
  Options bad;
  bad.pool_size = 10;
  bad.max_tests = 5;
  EXPECT_EQ(Complete(bad).code(), Code::kInvalidInput);
  EXPECT_EQ(ParseStrategy("file_copy"), Strategy::kFileCopy);
  EXPECT_FALSE(ParseStrategy("fast").has_value());
}

}  // namespace
}  // namespace pgstack::testdb
