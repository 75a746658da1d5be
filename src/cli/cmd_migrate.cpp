// PLACEHOLDER: replaced by the real subcommand of this feature.
#include "commands.h"

namespace pgstack::cli {

RunFn RegisterMigrate(CLI::App& sub, Context& ctx) {
  return [&ctx] { return ctx.out.Fail(Status::Failure("migrate: not built yet")); };
}

}  // namespace pgstack::cli
