#include "pgstack/location/environment.h"

#include <cstdlib>

#include "pgstack/pg/conn_params.h"

namespace pgstack::location {

Status ApplyEnvOverrides(core::Environment& e, const core::EnvLookup& lookup) {
  auto get = [&](const std::string& name) -> std::string {
    auto v = lookup(name);
    return v ? *v : "";
  };
  core::PostgresConfig& pg = e.postgres;
  // The variable the config names is the one meant for this role, in either mode.
  auto named_password = [&] {
    if (!pg.password_env.empty()) {
      if (auto v = get(pg.password_env); !v.empty()) pg.password = v;
    }
  };
  if (e.mode == core::Mode::kLocal) {
    named_password();
    return Status::Ok();
  }
  if (auto v = get("PGUSER"); !v.empty()) pg.user = v;
  if (auto v = get("PGDATABASE"); !v.empty()) pg.database = v;
  if (auto v = get("PGPASSWORD"); !v.empty()) pg.password = v;
  if (auto v = get("PGHOST"); !v.empty()) pg.host = v;
  if (auto v = get("PGPORT"); !v.empty()) {
    char* end = nullptr;
    long port = std::strtol(v.c_str(), &end, 10);
    if (*end || port <= 0 || port > 65535) return Status::InvalidInput("PGPORT: not a port number");
    pg.port = static_cast<int>(port);
  }
  // DATABASE_URL names the connection as a whole (dbmate, most frameworks): the fields it
  // spells out win over the PG* variables; those it leaves out keep theirs.
  if (auto url = get("DATABASE_URL"); !url.empty()) {
    pg::ConnParams base{.host = pg.host, .port = pg.port, .user = pg.user, .dbname = pg.database};
    auto parsed = pg::ParseConnString(url, base);
    if (!parsed.ok()) return parsed.status().WithContext("DATABASE_URL");
    pg.user = parsed->user;
    pg.database = parsed->dbname;
    if (!parsed->password.empty()) pg.password = parsed->password;
    pg.host = parsed->host;
    pg.port = parsed->port;
  }
  named_password();
  return Status::Ok();
}

Result<core::Environment> LoadEnvironment(const std::string& file, const std::string& name,
                                          const core::EnvLookup& lookup) {
  PGSTACK_ASSIGN_OR_RETURN(core::Environment env, core::LoadEnvironment(file, name));
  PGSTACK_RETURN_IF_ERROR(ApplyEnvOverrides(env, lookup));
  return env;
}

}  // namespace pgstack::location
