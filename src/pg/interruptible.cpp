#include "pgstack/pg/interruptible.h"

#include <optional>

#include "pgstack/core/interrupt.h"

namespace pgstack::pg {

Status RunInterruptible(Connection& conn, std::string_view sql) {
  PGSTACK_RETURN_IF_ERROR(core::CheckInterrupt());
  Result<CancelHandle> cancel = conn.cancel_handle();
  std::optional<core::InterruptHook> hook;
  if (cancel.ok()) hook.emplace([&cancel] { (void)cancel->Cancel(); });
  Status s = conn.Run(sql);
  // A statement cancelled by the hook fails with 57014; one that finished first stands.
  if (!s.ok() && core::Interrupted()) return core::InterruptedStatus();
  return s;
}

}  // namespace pgstack::pg
