// The local stack: a PostgreSQL 17 cluster and a PgBouncer in front of it, under one state
// directory, run as an unprivileged OS user. Up() brings it from nothing (or any partial state)
// to running and provisioned, idempotently; it reports what it did.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pgstack/core/config.h"
#include "pgstack/core/process.h"
#include "pgstack/core/status.h"
#include "pgstack/location/stack_state.h"
#include "pgstack/stack/action.h"
#include "pgstack/stack/replica.h"

namespace pgstack::stack {

// Called with one line ("waiting for the lock of DIR (held by pid 42 (pgstack up)), at most
// 30 s") when a command must wait for the state dir's lock.
using LockWaitFn = std::function<void(const std::string&)>;

struct UpOptions {
  std::string state_dir = ".pgstack";
  std::optional<int> pg_port;    // --pg-port (0: a free port)
  std::optional<int> pool_port;  // --pool-port
  std::string pg_bin;            // --pg-bin
  std::optional<int> replicas;   // --replicas (nullopt: the config's, else as many as there are)
  // Told at once, in one line, when another pgstack holds the state dir's lock and we wait.
  LockWaitFn on_lock_wait;
};

struct UpReport {
  std::vector<Action> actions;  // what changed, in order; empty when nothing did
  location::StackState state;
  std::string pg_version;  // server_version, e.g. "17.10"
};

Result<UpReport> Up(const core::Environment& env, const UpOptions& opts,
                    core::ProcessRunner& runner = core::SystemProcessRunner());
Status Down(const std::string& state_dir, core::ProcessRunner& runner = core::SystemProcessRunner(),
            const LockWaitFn& on_lock_wait = {});
Status Destroy(const std::string& state_dir,
               core::ProcessRunner& runner = core::SystemProcessRunner(),
               const LockWaitFn& on_lock_wait = {});

// down, destroy and status handle whatever state dir an `up` or `destroy` left, however it ended
// (failed, killed): down stops what runs, destroy deletes secrets first and then the rest, status
// says what runs and whether the last `up` finished. A directory that holds files that are not
// pgstack's is refused (kInvalidInput); the state dir's lock is waited for at most
// $PGSTACK_LOCK_TIMEOUT seconds, 30 s by default (kLockTimeout).
struct StackStatus {
  bool exists = false;    // a state dir with something of a stack in it
  bool complete = false;  // an `up` finished there (false: the last one failed or was killed)
  location::StackState state;
  bool postgres_running = false;
  std::string postgres_version;
  // Whether the running server waits for the disk: false in test mode (fsync off); nullopt when
  // it is not running.
  std::optional<bool> postgres_durable;
  bool pgbouncer_running = false;
  std::vector<ReplicaStatus> replicas;
};
Result<StackStatus> GetStatus(const std::string& state_dir);

}  // namespace pgstack::stack
