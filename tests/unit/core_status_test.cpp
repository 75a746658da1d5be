// Status's cause: callers tell errors apart by it, never by message text; and a Result is a
// value or an error, never neither.
#include <gtest/gtest.h>

#include "pgstack/core/status.h"
#include "pgstack/testdb/outcome.h"

namespace pgstack {
namespace {

constexpr core::Cause kFull{"full"};
constexpr core::Cause kOther{"other"};

TEST(CoreStatus, ACauseIsKeptThroughContextAndCodeAndComparedByIdentity) {
  Status s = Status::Failure("disk").Because(kFull).WithContext("up").WithCode(Code::kCheckFailed);
  EXPECT_TRUE(s.Is(kFull));
  EXPECT_FALSE(s.Is(kOther));
  EXPECT_EQ(s.cause(), &kFull);
  // The same words without the cause are not it.
  EXPECT_FALSE(Status::Failure(s.message()).Is(kFull));
  EXPECT_EQ(Status::Failure("x").cause(), nullptr);
}

TEST(CoreStatus, AnOkStatusHasNoCause) {
  Status ok = Status::Ok().Because(kFull);
  EXPECT_TRUE(ok.ok());
  EXPECT_FALSE(ok.Is(kFull));
}

TEST(CoreStatus, AResultMadeFromAnOkStatusIsAFailureThatSaysSo) {
  Result<int> r = Status::Ok();
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(r.status().ok());  // a caller's PGSTACK_ASSIGN_OR_RETURN returns an error
  EXPECT_NE(r.status().message().find("OK status"), std::string::npos) << r.status().message();
}

// testdb's outcomes travel as causes: the server's own SQLSTATEs keep their own meaning.
TEST(CoreStatus, TestdbOutcomesComeFromCausesNotFromSqlstates) {
  EXPECT_EQ(testdb::OutcomeOf(testdb::Gone("discarded")), testdb::Outcome::kGone);
  EXPECT_EQ(testdb::OutcomeOf(testdb::NotFound("no such")), testdb::Outcome::kNotFound);
  EXPECT_EQ(testdb::OutcomeOf(testdb::Locked("busy")), testdb::Outcome::kLocked);
  EXPECT_EQ(testdb::OutcomeOf(testdb::Unavailable("down")), testdb::Outcome::kUnavailable);
  // object_not_in_prerequisite_state from the server is no discarded template (410).
  EXPECT_EQ(testdb::OutcomeOf(Status::Postgres("not ready", "55000")), testdb::Outcome::kInternal);
  // invalid_catalog_name from the server: no such database, but not testdb's own 404.
  EXPECT_NE(testdb::OutcomeOf(Status::Postgres("no db", "3D000")), testdb::Outcome::kNotFound);
}

}  // namespace
}  // namespace pgstack
