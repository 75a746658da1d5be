// PgBouncer's two files, rendered from database/setup/pgbouncer-config.ini and the environment:
// pgbouncer.ini and the userlist holding the server's SCRAM verifier byte for byte.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "pgstack/config.h"
#include "pgstack/status.h"

namespace pgstack {

// Paths and addresses that differ between the local and the system (external) layouts.
struct PgBouncerLayout {
  std::string server_host;  // where PgBouncer reaches PostgreSQL
  int server_port = 5432;
  int listen_port = 6432;
  std::string unix_socket_dir;
  std::string auth_file;
  std::string logfile;
  std::string pidfile;
};

// The template's path: database/setup/pgbouncer-config.ini of the project.
std::string PgBouncerTemplatePath();

Result<std::string> RenderPgBouncerIni(const Environment& env, const PgBouncerLayout& layout,
                                       const std::string& template_text,
                                       const std::string& template_name);
std::string RenderUserlist(const std::string& user, const std::string& verifier);
// The inverse, for one line: its first two double-quoted fields (user, secret; a doubled quote
// stands for one), or nullopt for anything else (a comment, a blank or broken line).
std::optional<std::pair<std::string, std::string>> ParseUserlistLine(std::string_view line);

// key = value pairs of an ini's [pgbouncer] section (comments and other sections skipped).
std::map<std::string, std::string> ParsePgBouncerIni(const std::string& text);

// Whether going from old to new ini needs a restart (a listen address, port, socket dir,
// pidfile or a setting the table marks restart-only changed), not just a RELOAD.
bool PgBouncerNeedsRestart(const std::string& old_ini, const std::string& new_ini);

}  // namespace pgstack
