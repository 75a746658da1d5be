#include "pgstack/testdb/outcome.h"

#include "pgstack/pg/error_class.h"

namespace pgstack::testdb {
namespace {

constexpr const char* kNotFoundState = "3D000";     // invalid_catalog_name
constexpr const char* kGoneState = "55000";         // object_not_in_prerequisite_state
constexpr const char* kLockedState = "55P03";       // lock_not_available
constexpr const char* kUnavailableState = "08006";  // connection_failure

}  // namespace

Status NotFound(std::string msg) {
  return Status::Postgres(std::move(msg), kNotFoundState).WithCode(Code::kInvalidInput);
}
Status Gone(std::string msg) {
  return Status::Postgres(std::move(msg), kGoneState).WithCode(Code::kInvalidInput);
}
Status Locked(std::string msg) {
  return Status::Postgres(std::move(msg), kLockedState).WithCode(Code::kLockTimeout);
}
Status Unavailable(std::string msg) { return Status::Postgres(std::move(msg), kUnavailableState); }

Outcome OutcomeOf(const Status& s) {
  if (s.ok()) return Outcome::kOk;
  if (s.sqlstate() == kGoneState) return Outcome::kGone;
  if (s.sqlstate() == kNotFoundState) return Outcome::kNotFound;
  if (s.code() == Code::kInvalidInput && s.sqlstate().empty()) return Outcome::kBadRequest;
  if (s.code() == Code::kLockTimeout && s.sqlstate().empty()) return Outcome::kLocked;
  // A failure without a SQLSTATE did not come from the server: nothing to classify.
  if (s.sqlstate().empty()) return Outcome::kInternal;
  switch (pg::Classify(s)) {
    case pg::ErrorClass::kLockNotAvailable:
      return Outcome::kLocked;
    case pg::ErrorClass::kConnection:
    case pg::ErrorClass::kAdminShutdown:
    case pg::ErrorClass::kTooManyConnections:
      return Outcome::kUnavailable;
    default:
      break;
  }
  return Outcome::kInternal;
}

int HttpStatusOf(Outcome o) {
  switch (o) {
    case Outcome::kOk:
      return 200;
    case Outcome::kBadRequest:
      return 400;
    case Outcome::kNotFound:
      return 404;
    case Outcome::kGone:
      return 410;
    case Outcome::kLocked:
      return 423;
    case Outcome::kUnavailable:
      return 503;
    case Outcome::kInternal:
      return 500;
  }
  return 500;
}

}  // namespace pgstack::testdb
