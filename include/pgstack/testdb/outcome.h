// How a testdb failure is meant: the few kinds the HTTP API turns into status codes and the CLI
// into exit codes. Those testdb decides travel in an ordinary Status as its cause (core::Cause),
// never as a SQLSTATE the server did not send; the server's own errors are judged by class.
#pragma once

#include <string>

#include "pgstack/core/status.h"

namespace pgstack::testdb {

enum class Outcome {
  kOk,
  kBadRequest,   // 400: a hash or id that cannot be
  kNotFound,     // 404: no such template or test database
  kGone,         // 410: the template was discarded
  kLocked,       // 423: another builder holds the template, or it is built already
  kUnavailable,  // 503: PostgreSQL is down, or a pool stayed exhausted past its bound
  kInternal,     // 500: anything else
};

Status NotFound(std::string msg);
Status Gone(std::string msg);
Status Locked(std::string msg);
Status Unavailable(std::string msg);

// The kind of s: those made above, kInvalidInput as kBadRequest, and PostgreSQL's own errors by
// class (a lost or refused connection, a server shutting down: kUnavailable).
Outcome OutcomeOf(const Status& s);
// The HTTP status code of an outcome (200 for kOk).
int HttpStatusOf(Outcome o);

}  // namespace pgstack::testdb
