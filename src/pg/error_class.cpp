#include "pgstack/pg/error_class.h"

namespace pgstack::pg {

ErrorClass Classify(std::string_view s) {
  if (s.empty()) return ErrorClass::kConnection;
  if (s == "53300") return ErrorClass::kTooManyConnections;
  if (s == "53100") return ErrorClass::kDiskFull;
  if (s == "40001") return ErrorClass::kSerializationFailure;
  if (s == "40P01") return ErrorClass::kDeadlock;
  if (s == "55P03") return ErrorClass::kLockNotAvailable;
  if (s == "57014") return ErrorClass::kQueryCanceled;
  if (s == "57P01" || s == "57P02" || s == "57P03") return ErrorClass::kAdminShutdown;
  if (s == "23505") return ErrorClass::kUniqueViolation;
  if (s == "25001") return ErrorClass::kActiveSqlTransaction;
  if (s == "25006") return ErrorClass::kReadOnlyTransaction;
  if (s == "55006") return ErrorClass::kObjectInUse;
  if (s == "28P01" || s == "28000") return ErrorClass::kInvalidPassword;
  if (s == "42501") return ErrorClass::kInsufficientPrivilege;
  if (s == "42P04" || s == "42P06" || s == "42P07" || s == "42710" || s == "42723")
    return ErrorClass::kDuplicateObject;
  if (s == "42P01" || s == "42704" || s == "42883" || s == "3D000" || s == "3F000")
    return ErrorClass::kUndefinedObject;
  if (s.substr(0, 2) == "08") return ErrorClass::kConnection;
  if (s.substr(0, 2) == "42") return ErrorClass::kSyntaxOrAccess;
  return ErrorClass::kOther;
}

bool IsConcurrencyConflict(ErrorClass c) {
  return c == ErrorClass::kSerializationFailure || c == ErrorClass::kDeadlock ||
         c == ErrorClass::kLockNotAvailable;
}

bool IsStatementFault(std::string_view s) {
  std::string_view cls = s.substr(0, 2);
  return s.size() == 5 && (cls == "42" || cls == "22");
}

bool IsSyntaxError(std::string_view s) { return s == "42601"; }

std::string_view SqlStateOfConnectError(std::string_view m) {
  struct Known {
    std::string_view text, sqlstate;
  };
  // Texts from PostgreSQL's postmaster/auth code and PgBouncer's pooler errors.
  static constexpr Known kKnown[] = {
      {"too many clients already", "53300"},
      {"remaining connection slots are reserved", "53300"},
      {"too many connections for role", "53300"},
      {"too many connections for database", "53300"},
      {"no more connections allowed", "53300"},  // PgBouncer max_client_conn
      {"password authentication failed", "28P01"},
      {"SASL authentication failed", "28P01"},
      {"no pg_hba.conf entry", "28000"},
      {"pg_hba.conf rejects connection", "28000"},
      {"is not permitted to log in", "28000"},
      {"role \"", "28000"},  // role "x" does not exist: before the database's "does not exist"
      {"does not exist", "3D000"},
      {"the database system is shutting down", "57P03"},
      {"the database system is starting up", "57P03"},
  };
  for (const auto& k : kKnown) {
    if (m.find(k.text) != std::string_view::npos) return k.sqlstate;
  }
  return "";
}

}  // namespace pgstack::pg
