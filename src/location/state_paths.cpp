#include "pgstack/location/state_paths.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace pgstack::location {
namespace {

// Servers are started from "/" (the service user may not reach the caller's folder), so every
// path handed to them must be absolute.
// An empty name stays empty (InspectStateDir and LoadState refuse it); absolute() would throw.
std::string Absolute(const std::string& dir) {
  if (dir.empty()) return dir;
  std::error_code ec;
  std::string abs = std::filesystem::absolute(dir, ec).lexically_normal().string();
  if (ec) return dir;
  if (abs.size() > 1 && abs.back() == '/') abs.pop_back();
  return abs;
}

}  // namespace

StatePaths::StatePaths(const std::string& state_dir) : StatePaths(Absolute(state_dir), 0) {}

StatePaths::StatePaths(const std::string& dir, int)
    : root(dir),
      state_file(dir + "/state.json"),
      credentials(dir + "/credentials.json"),
      lock_file(dir + "/.lock"),
      data(dir + "/data"),
      conf_dir(dir + "/data/conf.d"),
      pg_conf(dir + "/data/conf.d/pgstack.conf"),
      hba(dir + "/data/pgstack_hba.conf"),
      ident(dir + "/data/pgstack_ident.conf"),
      run(dir + "/run"),
      logs(dir + "/logs"),
      pg_log(dir + "/logs/postgresql.log"),
      pgbouncer_dir(dir + "/pgbouncer"),
      pgbouncer_ini(dir + "/pgbouncer/pgbouncer.ini"),
      userlist(dir + "/pgbouncer/userlist.txt"),
      pgbouncer_log(dir + "/logs/pgbouncer.log"),
      pgbouncer_pid(dir + "/run/pgbouncer.pid"),
      replicas(dir + "/replicas"),
      fence_marker(dir + "/data/" + kFenceMarkerName) {}

std::string StatePaths::NodeDir(int n) const { return replicas + "/" + std::to_string(n); }

StatePaths StatePaths::Node(int n) const {
  StatePaths p = *this;
  if (n == 0) return p;
  std::string dir = NodeDir(n);
  p.data = dir + "/data";
  p.conf_dir = p.data + "/conf.d";
  p.pg_conf = p.conf_dir + "/pgstack.conf";
  p.hba = p.data + "/pgstack_hba.conf";
  p.ident = p.data + "/pgstack_ident.conf";
  p.pg_log = dir + "/postgresql.log";
  p.fence_marker = p.data + "/" + kFenceMarkerName;
  return p;
}

std::string StatePaths::FenceReason() const {
  if (!Fenced()) return "";
  std::ifstream in(fence_marker);
  std::string why;
  std::getline(in, why);  // one line; unreadable, it still is a fence
  return why.empty() ? std::string("it is fenced") : why;
}

bool StatePaths::Fenced() const {
  std::error_code ec;
  return std::filesystem::exists(fence_marker, ec);
}

}  // namespace pgstack::location
