// pgstack promote [NODE]: a replica becomes the primary (stack::Promote).
#include <fmt/format.h>

#include "commands.h"
#include "pgstack/stack/replica.h"

namespace pgstack::cli {

RunFn RegisterPromote(CLI::App& sub, Context& ctx) {
  auto node = std::make_shared<int>(-1);
  sub.add_option("node", *node, "the replica to promote, as status numbers it (default: the first)")
      ->check(CLI::NonNegativeNumber);
  return [&ctx, node] {
    auto env = ctx.LoadEnv();
    if (!env.ok()) return ctx.out.Fail(env.status());
    auto r = stack::Promote(*env, ctx.global.state_dir,
                            *node >= 0 ? std::optional<int>(*node) : std::nullopt);
    if (!r.ok()) return ctx.out.Fail(r.status());
    for (const auto& a : r->actions) ctx.out.Line("  " + a);
    ctx.out.Line(fmt::format(
        "node {} is the primary on port {}; `pgstack up` rebuilds node {} as its replica", r->node,
        r->port, r->old_node));
    ctx.out.Json({{"primary", {{"node", r->node}, {"port", r->port}}},
                  {"fenced", r->old_node},
                  {"actions", r->actions}});
    return 0;
  };
}

}  // namespace pgstack::cli
