#include "pgstack/testdb/outcome.h"

#include "pgstack/pg/error_class.h"

namespace pgstack::testdb {
namespace {

constexpr core::Cause kNotFound{"not found"};
constexpr core::Cause kGone{"gone"};
constexpr core::Cause kLocked{"locked"};
constexpr core::Cause kUnavailable{"unavailable"};

}  // namespace

Status NotFound(std::string msg) { return Status::InvalidInput(std::move(msg)).Because(kNotFound); }
Status Gone(std::string msg) { return Status::InvalidInput(std::move(msg)).Because(kGone); }
Status Locked(std::string msg) { return Status::LockTimeout(std::move(msg)).Because(kLocked); }
Status Unavailable(std::string msg) {
  return Status::Failure(std::move(msg)).Because(kUnavailable);
}

Outcome OutcomeOf(const Status& s) {
  if (s.ok()) return Outcome::kOk;
  if (s.Is(kGone)) return Outcome::kGone;
  if (s.Is(kNotFound)) return Outcome::kNotFound;
  if (s.Is(kUnavailable)) return Outcome::kUnavailable;
  if (s.Is(kLocked)) return Outcome::kLocked;
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
