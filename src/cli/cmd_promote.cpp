// pgstack promote [NODE] [--force]: a replica becomes the primary (stack::Promote).
#include <fmt/format.h>

#include "commands.h"
#include "pgstack/stack/replica.h"

namespace pgstack::cli {

RunFn RegisterPromote(CLI::App& sub, Context& ctx) {
  auto node = std::make_shared<int>(-1);
  auto force = std::make_shared<bool>(stack::PromoteOptions{}.force);
  sub.add_option("node", *node, "the replica to promote, as status numbers it (default: the first)")
      ->check(CLI::NonNegativeNumber);
  sub.add_flag("--force", *force,
               "promote even a replica that does not stream from the primary or has not replayed "
               "all of its WAL (what it lacks is lost, and said)");
  sub.footer(
      "Exit status: 0 promoted; 3 refused: the replica does not stream from the running primary, "
      "or has not replayed its WAL to the end (nothing changed); `pgstack up` must follow to "
      "rebuild the nodes it names.");
  return [&ctx, node, force] {
    auto env = ctx.LoadEnv();
    if (!env.ok()) return ctx.out.Fail(env.status());
    auto r = stack::Promote(
        *env, ctx.global.state_dir,
        {.node = *node >= 0 ? std::optional<int>(*node) : std::nullopt, .force = *force});
    if (!r.ok()) return ctx.out.Fail(r.status());
    for (const auto& a : r->actions) ctx.out.Line("  " + a);
    if (!r->lost.empty()) ctx.out.Line("  forced: " + r->lost);
    ctx.out.Line(fmt::format(
        "node {} is the primary on port {}; `pgstack up` must follow: it rebuilds node(s) {} as "
        "its replicas",
        r->node, r->port, fmt::join(r->to_rebuild, ", ")));
    ctx.out.Json({{"primary", {{"node", r->node}, {"port", r->port}}},
                  {"fenced", r->old_node},
                  {"to_rebuild", r->to_rebuild},
                  {"lost", r->lost.empty() ? nlohmann::json(nullptr) : nlohmann::json(r->lost)},
                  {"actions", r->actions}});
    return 0;
  };
}

}  // namespace pgstack::cli
