// pgbouncer.ini, rendered from database/setup/pgbouncer-config.ini and the environment.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pgstack/core/config.h"
#include "pgstack/core/status.h"

namespace pgstack::stack {

// Paths and addresses that differ between the local and the system (external) layouts.
struct PgBouncerLayout {
  std::string server_host;  // where PgBouncer reaches PostgreSQL
  int server_port = 5432;
  int listen_port = 6432;
  std::string unix_socket_dir;
  std::string auth_file;
  std::string logfile;
  std::string pidfile;
  // The read pool, "<database>_ro": the hosts PgBouncer rotates over and their one port
  // (PgBouncer 1.18 takes one port per entry); no hosts: no such entry.
  std::vector<std::string> read_pool_hosts;
  int read_pool_port = 5432;
};

// The template's path: database/setup/pgbouncer-config.ini of the project.
std::string PgBouncerTemplatePath();

Result<std::string> RenderPgBouncerIni(const core::Environment& env, const PgBouncerLayout& layout,
                                       const std::string& template_text,
                                       const std::string& template_name);
// Whether going from old to new ini needs a restart (a listen address, port, socket dir,
// pidfile or a setting the table marks restart-only changed), not just a RELOAD.
bool PgBouncerNeedsRestart(const std::string& old_ini, const std::string& new_ini);

}  // namespace pgstack::stack
