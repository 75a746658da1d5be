#include "replicas.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "copy_tree.h"
#include "pgstack/core/conf_value.h"
#include "pgstack/core/files.h"
#include "pgstack/core/scram.h"
#include "pgstack/core/wait.h"
#include "pgstack/stack/replica.h"

namespace pgstack::stack {
namespace {

namespace fs = std::filesystem;

constexpr const char* kReplicaConf = "replica.conf";

// What a base backup leaves out (as pg_basebackup does): WAL (the replica streams it from its
// slot; the directories stay, empty), the postmaster's own files, other slots, runtime state
// the server rebuilds, and anything of a standby or a fenced node.
bool SkipInCopy(const std::string& rel) {
  static const char* const kEmptied[] = {"pg_wal/",       "pg_replslot/", "pg_stat_tmp/",
                                         "pg_dynshmem/",  "pg_notify/",   "pg_serial/",
                                         "pg_snapshots/", "pg_subtrans/"};
  for (const char* d : kEmptied)
    if (rel.rfind(d, 0) == 0) return true;  // the directory itself is not matched: it is kept
  static const char* const kFiles[] = {
      "postmaster.pid", "postmaster.opts", "backup_label",    "backup_label.old",
      "tablespace_map", "standby.signal",  "recovery.signal", location::kFenceMarkerName};
  for (const char* f : kFiles)
    if (rel == f) return true;
  if (rel == std::string("conf.d/") + kReplicaConf) return true;
  std::string name = fs::path(rel).filename().string();
  return name == "pg_internal.init" || name.rfind("pgsql_tmp", 0) == 0;
}

// libpq's conninfo quoting: 'value' with \ and ' escaped.
std::string ConninfoQuote(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

// A .pgpass field: \ and : escaped.
std::string PassfileField(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == ':' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// The replication role's password, kept in the passfile the replicas read; generated once.
Result<std::string> ReplicationPassword(const StatePaths& root, core::Owner owner,
                                        std::vector<Action>& actions) {
  std::string file = root.ReplicationPassfile();
  PGSTACK_ASSIGN_OR_RETURN(auto text, core::ReadFileIfExists(file));
  std::string prefix = std::string("*:*:*:") + kReplicationRole + ":";
  if (text && text->rfind(prefix, 0) == 0) {
    std::string pw;
    for (size_t i = prefix.size(); i < text->size() && (*text)[i] != '\n'; ++i) {
      if ((*text)[i] == '\\' && i + 1 < text->size()) ++i;
      pw += (*text)[i];
    }
    if (!pw.empty()) return pw;
  }
  PGSTACK_ASSIGN_OR_RETURN(std::string pw, core::RandomSecret());
  PGSTACK_RETURN_IF_ERROR(core::MakeDirs(root.replicas, 0700, owner));
  PGSTACK_RETURN_IF_ERROR(
      core::WriteFileAtomic(file, prefix + PassfileField(pw) + "\n", 0600, owner));
  actions.push_back({ActionVerb::kGenerated,
                     fmt::format("a password for {} ({}, mode 0600)", kReplicationRole, file)});
  return pw;
}

// The role replicas log in as, with the kept password's verifier.
Status EnsureReplicationRole(pg::Connection& c, const std::string& password,
                             std::vector<Action>& actions) {
  PGSTACK_ASSIGN_OR_RETURN(
      auto found, c.Exec("SELECT rolpassword, rolreplication AND rolcanlogin AS ok FROM pg_authid "
                         "WHERE rolname = $1",
                         {kReplicationRole}));
  if (found.rows() == 1 && found.get(0, "ok") == "t" &&
      core::ScramVerifierMatches(std::string(found.get(0, "rolpassword")), password))
    return Status::Ok();
  PGSTACK_ASSIGN_OR_RETURN(std::string verifier, c.ScramVerifier(kReplicationRole, password));
  std::string verb = found.rows() == 1 ? "ALTER" : "CREATE";
  PGSTACK_RETURN_IF_ERROR(
      c.Run(fmt::format("{} ROLE {} WITH REPLICATION LOGIN PASSWORD {}", verb,
                        c.QuoteIdent(kReplicationRole), c.QuoteLiteral(verifier))));
  std::string role = fmt::format("role {} (REPLICATION, SCRAM)", kReplicationRole);
  actions.push_back(found.rows() == 1 ? Action{ActionVerb::kSet, "the password of " + role}
                                      : Action{ActionVerb::kCreated, role});
  return Status::Ok();
}

// "" when the slot is there and keeps its WAL; else why the replica must be rebuilt.
Result<std::string> SlotProblem(pg::Connection& c, int node) {
  PGSTACK_ASSIGN_OR_RETURN(
      auto r, c.Exec("SELECT wal_status FROM pg_replication_slots WHERE slot_name = $1",
                     {ReplicaSlotName(node)}));
  if (r.rows() == 0) return fmt::format("its slot {} is gone", ReplicaSlotName(node));
  if (r.get(0, 0) == "lost")
    return fmt::format("its slot {} was invalidated (max_slot_wal_keep_size)",
                       ReplicaSlotName(node));
  return std::string();
}

Status DropSlot(pg::Connection& c, int node) {
  // An active slot cannot be dropped: the walsender of a replica being removed may linger.
  return core::WaitUntil(
      {.what = "slot " + ReplicaSlotName(node) + " to be released",
       .timeout = std::chrono::seconds(30)},
      [&] {
        auto r = c.Exec(
            "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
            "WHERE slot_name = $1 AND NOT active",
            {ReplicaSlotName(node)});
        if (!r.ok()) return core::Poll::Fail(r.status());
        auto left = c.Exec("SELECT 1 FROM pg_replication_slots WHERE slot_name = $1",
                           {ReplicaSlotName(node)});
        if (!left.ok()) return core::Poll::Fail(left.status());
        return left->rows() == 0 ? core::Poll::Ready() : core::Poll::NotYet("it is active");
      });
}

// A node number as pgstack writes it into folder and slot names: one to five digits.
std::optional<int> NodeNumber(const std::string& digits) {
  if (digits.empty() || digits.size() > 5 ||
      digits.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoi(digits);
}

// The nodes with a directory under replicas/, whatever state.json says.
std::set<int> NodesOnDisk(const StatePaths& root) {
  std::set<int> nodes;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root.replicas, ec)) {
    auto node = NodeNumber(e.path().filename().string());
    if (node && e.is_directory(ec)) nodes.insert(*node);
  }
  return nodes;
}

// The nodes whose slot pgstack made on the primary.
Result<std::set<int>> NodesWithSlots(pg::Connection& c) {
  PGSTACK_ASSIGN_OR_RETURN(auto r, c.Exec("SELECT slot_name FROM pg_replication_slots"));
  std::set<int> nodes;
  for (int i = 0; i < r.rows(); ++i) {
    std::string name(r.get(i, 0));
    auto node = NodeNumber(name.substr(name.find_last_of('_') + 1));
    if (node && ReplicaSlotName(*node) == name) nodes.insert(*node);
  }
  return nodes;
}

Status RemoveTree(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) return Status::Failure(fmt::format("{}: cannot delete: {}", path, ec.message()));
  return Status::Ok();
}

class ReplicaMaker {
 public:
  ReplicaMaker(const ReplicaSet& set, pg::Connection& primary, std::vector<Action>& actions)
      : set_(set), primary_(primary), actions_(actions), owner_{set.service.uid, set.service.gid} {}

  Status Ensure(const location::ReplicaState& r) {
    StatePaths np = set_.root.Node(r.node);
    Cluster cluster(np, set_.state.pg_bin, set_.service, set_.runner);
    // A copy an `up` killed mid-way left is never a replica: it goes.
    PGSTACK_RETURN_IF_ERROR(RemoveTree(np.data + ".copy"));
    PGSTACK_RETURN_IF_ERROR(cluster.WaitIfStopping());
    std::string why;
    if (np.Fenced()) {
      why = np.FenceReason();
    } else if (cluster.Initialized() && !fs::exists(np.data + "/standby.signal")) {
      why = "it is no longer a standby: it was promoted behind pgstack's back";
    } else if (cluster.Initialized()) {
      PGSTACK_ASSIGN_OR_RETURN(why, SlotProblem(primary_, r.node));
    }
    if (!why.empty()) {
      if (cluster.Running()) PGSTACK_RETURN_IF_ERROR(cluster.Stop());
      PGSTACK_RETURN_IF_ERROR(RemoveTree(np.data));
      PGSTACK_RETURN_IF_ERROR(Build(r, np));
      actions_.push_back(
          {ActionVerb::kRebuilt, fmt::format("replica {} on port {} ({})", r.node, r.port, why)});
    } else if (!cluster.Initialized()) {
      PGSTACK_RETURN_IF_ERROR(Build(r, np));
      actions_.push_back({ActionVerb::kMade, fmt::format("replica {} on port {} (slot {})", r.node,
                                                         r.port, ReplicaSlotName(r.node))});
    } else {
      PGSTACK_ASSIGN_OR_RETURN(bool changed, WriteFiles(r, np));
      if (!cluster.Running()) {
        // A postmaster killed with -9 leaves its children for a moment, holding its shared
        // memory: a start before they are gone fails, so it is tried again for a while.
        PGSTACK_RETURN_IF_ERROR(
            core::WaitUntil({.what = fmt::format("replica {} to start", r.node),
                             .timeout = std::chrono::seconds(10),
                             .backoff = {.first = std::chrono::milliseconds(500)}},
                            [&] { return core::Poll::ReadyIf(cluster.Start()); }));
        actions_.push_back(
            {ActionVerb::kStarted, fmt::format("replica {} on port {}", r.node, r.port)});
      } else if (changed) {
        PGSTACK_RETURN_IF_ERROR(cluster.Restart());
        actions_.push_back({ActionVerb::kRestarted,
                            fmt::format("replica {} (its configuration changed)", r.node)});
      }
    }
    return AwaitStreaming(r);
  }

  // r.port is 0 for a replica only its directory or slot tells of (its removal was killed).
  Status Remove(const location::ReplicaState& r) {
    StatePaths np = set_.root.Node(r.node);
    Cluster cluster(np, set_.state.pg_bin, set_.service, set_.runner);
    if (cluster.Running()) PGSTACK_RETURN_IF_ERROR(cluster.Stop());
    PGSTACK_RETURN_IF_ERROR(DropSlot(primary_, r.node));
    PGSTACK_RETURN_IF_ERROR(RemoveTree(r.node == 0 ? np.data : set_.root.NodeDir(r.node)));
    actions_.push_back({ActionVerb::kRemoved,
                        r.port ? fmt::format("replica {} (port {})", r.node, r.port)
                               : fmt::format("replica {} (an interrupted run left it)", r.node)});
    return Status::Ok();
  }

 private:
  // pgstack.conf, pg_hba, pg_ident as the primary's but with the replica's port, and
  // replica.conf; true when one changed.
  Result<bool> WriteFiles(const location::ReplicaState& r, const StatePaths& np) {
    Cluster cluster(np, set_.state.pg_bin, set_.service, set_.runner);
    PGSTACK_ASSIGN_OR_RETURN(auto changed,
                             cluster.WriteConfig(set_.env, r.port, core::CurrentOsUser().name));
    PGSTACK_ASSIGN_OR_RETURN(
        bool conf,
        core::ReplaceFile(ReplicaConfPath(np),
                          RenderReplicaConf(set_.env, set_.root, set_.state.pg_port, r.node), 0600,
                          owner_));
    return conf || !changed.empty();
  }

  // The copy goes to data.copy, renamed to data once it has its backup_label and
  // standby.signal: an `up` killed on the way leaves nothing that could start as a primary.
  Status Build(const location::ReplicaState& r, const StatePaths& np) {
    PGSTACK_RETURN_IF_ERROR(core::MakeDirs(set_.root.replicas, 0700, owner_));
    if (r.node != 0)
      PGSTACK_RETURN_IF_ERROR(core::MakeDirs(set_.root.NodeDir(r.node), 0700, owner_));
    std::string copy = np.data + ".copy";
    PGSTACK_RETURN_IF_ERROR(RemoveTree(copy));
    // What is at data is no cluster (Build runs for none, or after deleting one): a delete killed
    // half way left the rest, which the rename below could not replace.
    PGSTACK_RETURN_IF_ERROR(RemoveTree(np.data));
    // The slot first, reserving WAL from now: whatever the copy misses, the replica streams.
    PGSTACK_RETURN_IF_ERROR(DropSlot(primary_, r.node));
    PGSTACK_RETURN_IF_ERROR(primary_.Run("SELECT pg_create_physical_replication_slot($1, true)",
                                         {ReplicaSlotName(r.node)}));
    std::string primary_data = set_.root.Node(set_.state.primary_node).data;
    PGSTACK_RETURN_IF_ERROR(primary_.Run("SELECT pg_backup_start($1, true)",
                                         {fmt::format("pgstack replica {}", r.node)}));
    auto copied = CopyTree(primary_data, copy, LiveCopy{.skip = SkipInCopy});
    // The backup is stopped whatever the copy did; a session that dies aborts it too. Nothing
    // is archived (the replica streams from its slot), so there is nothing to wait for.
    auto stopped = primary_.Exec("SELECT labelfile, spcmapfile FROM pg_backup_stop(false)");
    Status made = copied.ok() ? Status::Ok() : copied.status();
    if (made.ok() && !stopped.ok()) made = stopped.status();
    if (made.ok())
      made = core::WriteFileAtomic(copy + "/backup_label", std::string(stopped->get(0, 0)), 0600,
                                   owner_);
    if (made.ok() && !stopped->get(0, 1).empty())
      made = core::WriteFileAtomic(copy + "/tablespace_map", std::string(stopped->get(0, 1)), 0600,
                                   owner_);
    if (made.ok()) made = core::WriteFileAtomic(copy + "/standby.signal", "", 0600, owner_);
    if (made.ok()) {
      std::error_code ec;
      fs::rename(copy, np.data, ec);
      if (ec)
        made = Status::Failure(
            fmt::format("{}: cannot rename to {}: {}", copy, np.data, ec.message()));
    }
    if (!made.ok()) {
      (void)RemoveTree(copy);  // on a full disk, give the space back
      return made.WithContext(fmt::format("making replica {}", r.node));
    }
    // Until these are written it holds the primary's settings, and standby.signal: an `up`
    // killed here leaves a standby that cannot start beside the primary (its port is taken),
    // and the next `up` writes them.
    PGSTACK_RETURN_IF_ERROR(WriteFiles(r, np).status());
    return Cluster(np, set_.state.pg_bin, set_.service, set_.runner).Start();
  }

  Status AwaitStreaming(const location::ReplicaState& r) {
    std::string slot = ReplicaSlotName(r.node);
    std::string last;
    Status s = core::WaitUntil(
        {.what = fmt::format("replica {} (port {}) to stream from the primary", r.node, r.port),
         .timeout = std::chrono::seconds(60),
         .backoff = {.first = std::chrono::milliseconds(10),
                     .growth = 1.5,
                     .max = std::chrono::milliseconds(200)}},
        [&] {
          auto q = primary_.Exec(
              "SELECT state FROM pg_stat_replication WHERE application_name = $1", {slot});
          if (!q.ok()) return core::Poll::Fail(q.status());
          if (q->rows() == 1 && q->get(0, 0) == "streaming") return core::Poll::Ready();
          return core::Poll::NotYet(q->rows() == 0 ? "not connected" : std::string(q->get(0, 0)));
        });
    if (!s.ok()) return s.WithContext(fmt::format("see {}", set_.root.Node(r.node).pg_log));
    return s;
  }

  const ReplicaSet& set_;
  pg::Connection& primary_;
  std::vector<Action>& actions_;
  core::Owner owner_;
};

}  // namespace

std::string ReplicationHbaLines() {
  return fmt::format(
      "# Replicas stream as {} (pgstack up --replicas), with SCRAM too.\n"
      "host    replication  {}  127.0.0.1/32  scram-sha-256\n"
      "host    replication  {}  ::1/128       scram-sha-256\n",
      kReplicationRole, kReplicationRole, kReplicationRole);
}

std::string RenderReplicaConf(const core::Environment& env, const StatePaths& root,
                              int primary_port, int node) {
  std::string conninfo =
      fmt::format("host={} port={} user={} passfile={} application_name={} sslmode=disable",
                  ConninfoQuote(env.postgres.host), primary_port, kReplicationRole,
                  ConninfoQuote(root.ReplicationPassfile()), ReplicaSlotName(node));
  return fmt::format(
      "# Written by pgstack: this node is a hot standby of the primary on port {}. pgstack up\n"
      "# rewrites it; pgstack promote removes it. The password is in the passfile (0600).\n"
      "primary_conninfo = {}\n"
      "primary_slot_name = {}\n"
      "hot_standby = on\n",
      primary_port, core::QuoteConfValue(conninfo), core::QuoteConfValue(ReplicaSlotName(node)));
}

Result<std::vector<location::ReplicaState>> PlanReplicas(
    const std::vector<location::ReplicaState>& current, int primary_node, std::optional<int> wanted,
    const std::string& host, std::vector<core::PortLock>& held) {
  int n = wanted.value_or(static_cast<int>(current.size()));
  if (n < 0 || n > kMaxWalSenders) {
    return Status::InvalidInput(fmt::format(
        "--replicas {}: the primary allows at most {} (max_wal_senders and max_replication_slots "
        "are {}: one sender and one slot per replica)",
        n, kMaxWalSenders, kMaxWalSenders));
  }
  std::vector<location::ReplicaState> out(current.begin(),
                                          current.begin() + std::min<size_t>(n, current.size()));
  std::set<int> used = {primary_node};
  for (const auto& r : current) used.insert(r.node);
  int next = 1;
  while (static_cast<int>(out.size()) < n) {
    while (used.count(next)) ++next;
    PGSTACK_ASSIGN_OR_RETURN(core::PortLock lock, core::PortLock::Take(host));
    out.push_back({.node = next, .port = lock.port()});
    held.push_back(std::move(lock));
    used.insert(next);
  }
  return out;
}

Status EnsureReplicas(const ReplicaSet& set, const std::vector<location::ReplicaState>& previous,
                      pg::Connection& primary, std::vector<Action>& actions) {
  ReplicaMaker maker(set, primary, actions);
  // What goes: the replicas the last state listed, and what a run killed while it removed one
  // left (state.json no longer lists it, but its directory, slot or postmaster may remain).
  std::map<int, int> gone;  // node -> port (0: not known)
  for (int n : NodesOnDisk(set.root)) gone[n] = 0;
  PGSTACK_ASSIGN_OR_RETURN(std::set<int> slotted, NodesWithSlots(primary));
  for (int n : slotted) gone[n] = 0;
  for (const auto& p : previous) gone[p.node] = p.port;
  gone.erase(set.state.primary_node);
  for (const auto& r : set.state.replicas) gone.erase(r.node);
  for (const auto& [node, port] : gone)
    PGSTACK_RETURN_IF_ERROR(maker.Remove({.node = node, .port = port}));
  if (set.state.replicas.empty()) return Status::Ok();
  PGSTACK_ASSIGN_OR_RETURN(
      std::string password,
      ReplicationPassword(set.root, {set.service.uid, set.service.gid}, actions));
  PGSTACK_RETURN_IF_ERROR(EnsureReplicationRole(primary, password, actions));
  for (const auto& r : set.state.replicas) PGSTACK_RETURN_IF_ERROR(maker.Ensure(r));
  return Status::Ok();
}

Result<bool> LiftFence(Cluster& primary, const StatePaths& paths) {
  // standby.signal without the marker is a fence half set: Fence writes standby.signal first, and
  // a promote killed before the marker leaves it alone. The primary that state.json names is never
  // a standby, so it is lifted all the same; else `up` would start the primary read-only, and the
  // replicas would cascade from it (streaming, as up's wait sees it) while nothing could write.
  std::error_code ec;
  if (!paths.Fenced() && !fs::exists(paths.data + "/standby.signal", ec)) return false;
  if (primary.Running()) PGSTACK_RETURN_IF_ERROR(primary.Stop());
  // standby.signal first: without the marker, what is left would look like a standby to keep.
  for (const char* f : {"standby.signal", location::kFenceMarkerName}) {
    std::error_code ec;
    fs::remove(paths.data + "/" + f, ec);
    if (ec)
      return Status::Failure(fmt::format("{}/{}: cannot delete: {}", paths.data, f, ec.message()));
  }
  return true;
}

Status Fence(const StatePaths& node, const std::string& why, core::Owner owner) {
  // standby.signal first: a marker without it would be a primary that `up` deletes.
  PGSTACK_RETURN_IF_ERROR(core::WriteFileAtomic(node.data + "/standby.signal", "", 0600, owner));
  return core::WriteFileAtomic(node.fence_marker, why + "\n", 0600, owner);
}

std::string ReplicaConfPath(const StatePaths& node) { return node.conf_dir + "/" + kReplicaConf; }

Status StopReplicas(const StatePaths& root, const StackState& st, const core::OsUser& service,
                    core::ProcessRunner& runner) {
  // With those on disk that the state does not list (a removal killed half way).
  std::set<int> nodes = NodesOnDisk(root);
  for (const auto& r : st.replicas) nodes.insert(r.node);
  nodes.erase(st.primary_node);
  for (int node : nodes) {
    StatePaths np = root.Node(node);  // Cluster keeps a reference
    Cluster cluster(np, st.pg_bin, service, runner);
    if (cluster.Running()) PGSTACK_RETURN_IF_ERROR(cluster.Stop());
  }
  return Status::Ok();
}

}  // namespace pgstack::stack
