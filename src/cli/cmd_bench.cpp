// PLACEHOLDER: replaced by the real subcommand of this feature.
#include "commands.h"

namespace pgstack::cli {

RunFn RegisterBench(CLI::App& sub, Context& ctx) {
  return [&ctx] { return ctx.out.Fail(Status::Failure("bench: not built yet")); };
}

}  // namespace pgstack::cli
