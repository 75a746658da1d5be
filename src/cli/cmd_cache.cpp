// pgstack cache list | clear: the initialised clusters a cold `up` copies instead of initdb.
#include <fmt/chrono.h>
#include <fmt/format.h>

#include "action_table.h"
#include "commands.h"
#include "pgstack/stack/cluster_cache.h"

namespace pgstack::cli {
namespace {

std::string Mb(uint64_t bytes) { return fmt::format("{:.1f} MB", bytes / 1048576.0); }

struct Flags {};  // none of its own

int RunList(Context& ctx, const Flags&) {
  auto listing = stack::ListClusterCache();
  if (!listing.ok()) return ctx.out.Fail(listing.status());
  uint64_t total = 0;
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& e : listing->entries) {
    total += e.bytes;
    entries.push_back({{"key", e.key},
                       {"path", e.path},
                       {"postgres", e.pg_version},
                       {"os_user", e.os_user},
                       {"bytes", e.bytes},
                       {"last_used", e.last_used},
                       {"flushed", e.flushed}});
  }
  ctx.out.Json({{"dir", listing->dir},
                {"bytes", total},
                {"max_bytes", listing->max_bytes},
                {"entries", entries}});
  ctx.out.Line(fmt::format("{}: {} cluster{}, {} of at most {}", listing->dir,
                           listing->entries.size(), listing->entries.size() == 1 ? "" : "s",
                           Mb(total), Mb(listing->max_bytes)));
  for (const auto& e : listing->entries) {
    ctx.out.Line(fmt::format("  {:<28} {:<28} {:<18} {:>9}  used {:%Y-%m-%d %H:%M}{}", e.key,
                             e.pg_version, e.os_user, Mb(e.bytes), fmt::localtime(e.last_used),
                             e.flushed ? "" : "  (not yet flushed: kept until a restart)"));
  }
  return 0;
}

int RunClear(Context& ctx, const Flags&) {
  auto removed = stack::ClearClusterCache();
  if (!removed.ok()) return ctx.out.Fail(removed.status());
  ctx.out.Json({{"removed", *removed}});
  ctx.out.Line(fmt::format("removed {} cached cluster{}", *removed, *removed == 1 ? "" : "s"));
  return 0;
}

// The cache is a directory of this machine's: no action reads an environment or a database.
constexpr Action<Flags> kActions[] = {
    {"list", "the cached clusters, most recently used first", Needs::kDirectory, NoFlags, RunList},
    {"clear", "remove every cached cluster (not one an `up` is copying now)", Needs::kDirectory,
     NoFlags, RunClear},
};

}  // namespace

RunFn RegisterCache(CLI::App& sub, Context& ctx) {
  return RegisterActions(sub, ctx, kActions, std::make_shared<Flags>());
}

}  // namespace pgstack::cli
