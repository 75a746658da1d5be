#include "read_pool.h"

#include <fmt/format.h>
#include <sys/un.h>

#include <chrono>
#include <filesystem>
#include <set>

#include "pgstack/core/process.h"
#include "pgstack/location/endpoints.h"

namespace pgstack::stack {
namespace {

namespace fs = std::filesystem;

// The link's name in every folder, and where it points (relative: the node's socket in run/).
std::string LinkPath(const StatePaths& root, int port) {
  return fmt::format("{}/.s.PGSQL.{}", root.ReadPoolDir(port), kReadPoolLinkPort);
}
std::string LinkTarget(int port) { return fmt::format("../.s.PGSQL.{}", port); }

Status WriteLink(const StatePaths& root, int port, core::Owner owner) {
  std::string link = LinkPath(root, port);
  if (link.size() >= sizeof(sockaddr_un::sun_path)) {
    return Status::InvalidInput(
        fmt::format("{}: the read pool's socket link would be {} characters, more than a Unix "
                    "socket path may be ({}): use a shorter --state-dir",
                    link, link.size(), sizeof(sockaddr_un::sun_path) - 1));
  }
  PGSTACK_RETURN_IF_ERROR(core::MakeDirs(root.ReadPoolDir(port), 0700, owner));
  std::error_code ec;
  if (fs::is_symlink(link, ec) && fs::read_symlink(link, ec) == LinkTarget(port))
    return Status::Ok();
  fs::remove(link, ec);
  fs::create_symlink(LinkTarget(port), link, ec);
  if (ec) return Status::Failure(fmt::format("{}: cannot make the link: {}", link, ec.message()));
  return Status::Ok();
}

}  // namespace

std::vector<std::string> ReadPoolHosts(const StatePaths& root, const StackState& st) {
  std::vector<std::string> hosts;
  for (const location::ReplicaState& r : location::ReadPoolReplicas(root, st)) {
    if (core::ProcessAlive(core::ReadPidFile(root.Node(r.node).data + "/postmaster.pid")))
      hosts.push_back(root.ReadPoolDir(r.port));
  }
  return hosts;
}

Status WriteReadPoolLinks(const StatePaths& root, const StackState& st, core::Owner owner) {
  std::set<std::string> wanted;
  for (const location::ReplicaState& r : st.replicas) {
    PGSTACK_RETURN_IF_ERROR(WriteLink(root, r.port, owner));
    wanted.insert(root.ReadPoolDir(r.port));
  }
  // A removed replica's folder: ro<port> without a replica on that port.
  std::error_code ec;
  std::vector<fs::path> stale;
  for (const auto& entry : fs::directory_iterator(root.run, ec)) {
    std::string name = entry.path().filename().string();
    bool ours = name.size() > 2 && name.starts_with("ro") &&
                name.find_first_not_of("0123456789", 2) == std::string::npos;
    if (ours && !wanted.contains(entry.path().string())) stale.push_back(entry.path());
  }
  for (const auto& dir : stale) fs::remove_all(dir, ec);
  return Status::Ok();
}

Status RefreshReadPool(const core::Environment& env, const StatePaths& root, const StackState& st,
                       PgBouncerProcess& bouncer, core::Owner owner, const pg::ConnParams& pooled,
                       std::vector<Action>& actions) {
  PGSTACK_RETURN_IF_ERROR(WriteReadPoolLinks(root, st, owner));
  PGSTACK_ASSIGN_OR_RETURN(std::string ini, RenderLocalIni(env, root, st));
  PGSTACK_ASSIGN_OR_RETURN(bool changed, core::ReplaceFile(root.pgbouncer_ini, ini, 0600, owner));
  if (!changed || !bouncer.Running()) return Status::Ok();
  PGSTACK_RETURN_IF_ERROR(bouncer.Reload());
  size_t n = ReadPoolHosts(root, st).size();
  actions.push_back({ActionVerb::kReloaded,
                     fmt::format("PgBouncer (its read pool {}_ro now rotates over {} replica{})",
                                 env.postgres.database, n, n == 1 ? "" : "s")});
  if (n == 0) return Status::Ok();
  pg::ConnParams reader = pooled;
  reader.dbname = env.postgres.database + "_ro";
  Status in = WaitForLogin(reader, std::chrono::seconds(20)).status();
  if (!in.ok())
    return in.WithContext(fmt::format("PgBouncer's read pool does not let {} in (see {})",
                                      env.postgres.user, root.pgbouncer_log));
  return in;
}

}  // namespace pgstack::stack
