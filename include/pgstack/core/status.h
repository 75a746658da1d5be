// Errors as values. A Status is OK or carries a code (which decides the process exit status), a
// one-line message, optionally a cause, and, for errors that came from PostgreSQL, the SQLSTATE
// and error position. Result<T> is a T or a non-OK Status. Both are cheap to copy when OK.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace pgstack::core {

enum class Code {
  kOk = 0,
  kFailure = 1,        // something went wrong at run time
  kInvalidInput = 2,   // bad usage, bad config, bad file: nothing was changed
  kCheckFailed = 3,    // a verification or validation did not hold
  kLockTimeout = 4,    // a lock was not acquired within its bound
  kInterrupted = 130,  // SIGINT (128 + 2)
  kTerminated = 143,   // SIGTERM (128 + 15)
};

// Why an error happened, where a caller must tell it apart from others of its code (a full disk,
// a discarded template). A layer defines each cause it reports as one object,
//   inline constexpr core::Cause kNoSpace{"no space"};
// and callers ask `s.Is(kNoSpace)`: causes compare by identity, never by message text.
struct Cause {
  const char* name;
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Failure(std::string msg) { return Status(Code::kFailure, std::move(msg)); }
  static Status InvalidInput(std::string msg) {
    return Status(Code::kInvalidInput, std::move(msg));
  }
  static Status CheckFailed(std::string msg) { return Status(Code::kCheckFailed, std::move(msg)); }
  static Status LockTimeout(std::string msg) { return Status(Code::kLockTimeout, std::move(msg)); }
  static Status Interrupted(std::string msg) { return Status(Code::kInterrupted, std::move(msg)); }
  // An error reported by the server: sqlstate is its five-character code, position the 1-based
  // character offset into the statement (0 when none).
  static Status Postgres(std::string msg, std::string sqlstate, int position = 0) {
    Status s(Code::kFailure, std::move(msg));
    s.sqlstate_ = std::move(sqlstate);
    s.position_ = position;
    return s;
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  int exit_code() const { return static_cast<int>(code_); }
  const std::string& message() const { return message_; }
  const std::string& sqlstate() const { return sqlstate_; }
  int position() const { return position_; }
  // The cause given with Because(), or nullptr.
  const Cause* cause() const { return cause_; }
  bool Is(const Cause& c) const { return cause_ == &c; }

  // The same error with "context: " in front of the message.
  Status WithContext(const std::string& context) const {
    Status s = *this;
    s.message_ = context + ": " + message_;
    return s;
  }
  // The same error with its cause (an OK status stays OK: it has none).
  Status Because(const Cause& c) const {
    Status s = *this;
    if (!ok()) s.cause_ = &c;
    return s;
  }
  // The same error under another code (a connection failure that is the user's fault, say).
  Status WithCode(Code code) const {
    Status s = *this;
    s.code_ = code;
    return s;
  }

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}
  Code code_ = Code::kOk;
  std::string message_;
  std::string sqlstate_;
  int position_ = 0;
  const Cause* cause_ = nullptr;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design, like StatusOr
  // A Result is a value or an error: an OK status here is a bug of the caller, turned into a
  // failure that says so rather than a Result that is neither.
  Result(Status status)  // NOLINT
      : v_(status.ok() ? Status::Failure("internal error: a result made from an OK status")
                       : std::move(status)) {}

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace pgstack::core

namespace pgstack {
// The vocabulary of every layer, as absl::Status is everywhere in absl.
using core::Code;
using core::Result;
using core::Status;
}  // namespace pgstack

#define PGSTACK_CONCAT_INNER(a, b) a##b
#define PGSTACK_CONCAT(a, b) PGSTACK_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function when expr is not OK.
#define PGSTACK_RETURN_IF_ERROR(expr) \
  do {                                \
    ::pgstack::Status _st = (expr);   \
    if (!_st.ok()) return _st;        \
  } while (0)

// Declares lhs from a Result<T>, or returns its Status from the enclosing function.
#define PGSTACK_ASSIGN_OR_RETURN(lhs, expr)                                                   \
  auto PGSTACK_CONCAT(_res_, __LINE__) = (expr);                                              \
  if (!PGSTACK_CONCAT(_res_, __LINE__).ok()) return PGSTACK_CONCAT(_res_, __LINE__).status(); \
  lhs = std::move(PGSTACK_CONCAT(_res_, __LINE__)).value()  // NOLINT: lhs may declare
