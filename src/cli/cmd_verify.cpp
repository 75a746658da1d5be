// PLACEHOLDER: replaced by the real subcommand of this feature.
#include "commands.h"

namespace pgstack::cli {

RunFn RegisterVerify(CLI::App& sub, Context& ctx) {
  return [&ctx] { return ctx.out.Fail(Status::Failure("verify: not built yet")); };
}

}  // namespace pgstack::cli
