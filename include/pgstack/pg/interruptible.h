// Statements that Ctrl-C and SIGTERM stop (core/interrupt.h): none starts once a signal arrived,
// and one in flight is cancelled on the server when it arrives. Either way the result is
// core::InterruptedStatus(), which callers pass up as it is (core::IsInterruption), not as an
// error of their own.
#pragma once

#include <string_view>

#include "pgstack/core/status.h"
#include "pgstack/pg/connection.h"

namespace pgstack::pg {

// conn.Run(sql), interruptible. sql may hold many statements (one implicit transaction).
Status RunInterruptible(Connection& conn, std::string_view sql);

}  // namespace pgstack::pg
