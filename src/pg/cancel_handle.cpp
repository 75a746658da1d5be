#include "pgstack/pg/cancel_handle.h"

#include <libpq-fe.h>

#include <string>

namespace pgstack::pg {

void CancelHandle::Free::operator()(pg_cancel* c) const { PQfreeCancel(c); }

Status CancelHandle::Cancel() const {
  char err[256];
  if (PQcancel(cancel_.get(), err, sizeof err)) return Status::Ok();
  return Status::Failure(std::string("cannot send a cancel request: ") + err);
}

}  // namespace pgstack::pg
