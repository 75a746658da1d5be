// pgstack env: the variables that point libpq clients at the stack, written for a POSIX shell
// (`eval "$(pgstack env)"`), fish, a dotenv file or JSON; --unset writes the lines that leave
// them again.
#include <fmt/format.h>

#include "commands.h"
#include "endpoint_vars.h"
#include "env_format.h"
#include "flag_choices.h"
#include "pgstack/core/nearest.h"
#include "pgstack/location/endpoints.h"
#include "pgstack/pg/conn_params.h"

namespace pgstack::cli {
namespace {

struct Flags {
  bool direct = false;
  bool replica = false;
  bool unset = false;
  std::string format{EnvFormatName(kDefaultEnvFormat)};
};

}  // namespace

RunFn RegisterEnv(CLI::App& sub, Context& ctx) {
  auto f = std::make_shared<Flags>();
  auto* direct = sub.add_flag("--direct", f->direct, "the server itself instead of PgBouncer");
  sub.add_flag("--replica", f->replica,
               "the read pool: <database>_ro through PgBouncer, over the replicas (up --replicas)")
      ->excludes(direct);
  sub.add_flag("--unset", f->unset,
               "the lines that unset every variable env sets, to leave a stack's environment");
  WithChoices(sub.add_option("--format", f->format,
                             fmt::format("how to write them: {} (dotenv: as docker run "
                                         "--env-file reads it, values verbatim)",
                                         core::JoinNames(EnvFormatNames())))
                  ->capture_default_str(),
              EnvFormatNames());
  sub.footer(
      "To leave this stack's environment (before you use another): eval \"$(pgstack env "
      "--unset)\".\n"
      "A local stack prints its own endpoints whatever PG* or DATABASE_URL say. For an external "
      "environment those variables override the config file, and where both name a field "
      "DATABASE_URL wins over PGHOST, PGPORT, PGUSER, PGDATABASE and PGPASSWORD.");
  return [&ctx, f] {
    auto format = ParseEnvFormat("--format", f->format);
    if (!format.ok()) return ctx.out.Fail(format.status());
    if (f->unset) {
      std::vector<std::string> names = EndpointVariableNames();
      if (ctx.out.json()) {
        ctx.out.Json({{"unset", names}});
        return 0;
      }
      auto text = FormatUnset(names, *format);
      if (!text.ok()) return ctx.out.Fail(text.status());
      ctx.out.Text(*text);
      return 0;
    }
    auto env = ctx.LoadEnv();
    if (!env.ok()) return ctx.out.Fail(env.status());
    auto ep = location::ResolveEndpoints(*env, ctx.global.state_dir);
    if (!ep.ok()) return ctx.out.Fail(ep.status());
    if (f->replica && ep->read_pool.host.empty()) {
      return ctx.out.Fail(Status::InvalidInput(
          fmt::format("--replica: no read pool in {}: {}", ctx.global.state_dir,
                      ep->no_read_pool.empty() ? "a read pool is a local stack's (up --replicas N)"
                                               : ep->no_read_pool)));
    }
    EnvVars vars = EndpointVariables(f->replica  ? ep->read_pool
                                     : f->direct ? ep->direct
                                                 : ep->pooled);
    if (ctx.out.json()) {
      nlohmann::json j;
      for (const auto& [k, v] : vars) j[k] = v;
      ctx.out.Json(j);
      return 0;
    }
    // This output is meant for eval: it is the one place a password is printed, on request.
    auto text = FormatSet(vars, *format);
    if (!text.ok()) return ctx.out.Fail(text.status());
    ctx.out.Text(*text);
    return 0;
  };
}

}  // namespace pgstack::cli
