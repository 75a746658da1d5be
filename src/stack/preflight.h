// Checks of a local environment that `up` makes before it changes anything, for what the config
// parser cannot know: this machine's memory, the extensions these binaries ship. A value either
// refuses is kInvalidInput naming the setting, and nothing was started.
#pragma once

#include <string>

#include "internal.h"

namespace pgstack::stack {

// shared_buffers must fit in this machine's memory (a larger one fails only at pg_ctl start).
Status CheckConfigInput(const core::Environment& env);
// Every extension of the config must be one PostgreSQL in bin_dir can create.
Status CheckServerInput(const core::Environment& env, const std::string& bin_dir);

}  // namespace pgstack::stack
