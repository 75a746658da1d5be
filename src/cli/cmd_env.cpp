// pgstack env: export lines so that `eval "$(pgstack env)"; psql` just works.
#include <fmt/format.h>

#include "commands.h"
#include "pgstack/location/endpoints.h"
#include "pgstack/pg/conn_params.h"

namespace pgstack::cli {
namespace {

// Single-quoted for the shell: safe whatever the value holds.
std::string ShellQuote(const std::string& v) {
  std::string out = "'";
  for (char c : v) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

RunFn RegisterEnv(CLI::App& sub, Context& ctx) {
  auto direct = std::make_shared<bool>(false);
  sub.add_flag("--direct", *direct, "the server itself instead of PgBouncer");
  return [&ctx, direct] {
    auto env = ctx.LoadEnv();
    if (!env.ok()) return ctx.out.Fail(env.status());
    auto ep = location::ResolveEndpoints(*env, ctx.global.state_dir);
    if (!ep.ok()) return ctx.out.Fail(ep.status());
    const pg::ConnParams& p = *direct ? ep->direct : ep->pooled;
    std::vector<std::pair<std::string, std::string>> vars = {
        {"PGHOST", p.host},         {"PGPORT", std::to_string(p.port)},
        {"PGUSER", p.user},         {"PGDATABASE", p.dbname},
        {"PGPASSWORD", p.password}, {"DATABASE_URL", pg::ToUrl(p, pg::Redact::kNo)}};
    if (!p.sslmode.empty()) vars.insert(vars.begin() + 4, {"PGSSLMODE", p.sslmode});
    if (ctx.out.json()) {
      nlohmann::json j;
      for (const auto& [k, v] : vars) j[k] = v;
      ctx.out.Json(j);
      return 0;
    }
    // This output is meant for eval: it is the one place a password is printed, on request.
    for (const auto& [k, v] : vars) ctx.out.Line(fmt::format("export {}={}", k, ShellQuote(v)));
    return 0;
  };
}

}  // namespace pgstack::cli
