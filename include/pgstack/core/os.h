// What pgstack asks of the operating system: its users (and, as root, creating the service
// user), free ports, random secrets.
#pragma once

#include <sys/types.h>

#include <string>

#include "pgstack/core/status.h"

namespace pgstack::core {

struct OsUser {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
};

OsUser CurrentOsUser();
Result<OsUser> LookupOsUser(const std::string& name);

// The user PostgreSQL and PgBouncer run as. Not root: ourselves. Root: "postgres" where it
// exists, else the system user "pgstack", created with useradd.
Result<OsUser> ServiceUser();

// Fails, naming the folder and the fix, unless `user` can reach `path`: every existing parent
// folder must be searchable (x) by that user.
Status CheckReachable(const std::string& path, const OsUser& user);

// A TCP port on host that nothing listens on now (asked of the kernel by binding port 0). Another
// process may take it before us: PortLock (port_lock.h) holds one against other pgstack processes.
Result<int> FreePort(const std::string& host);
// Whether something already listens on host:port (a bind to it fails with EADDRINUSE).
bool PortInUse(const std::string& host, int port);

// A random password of 32 URL-safe characters from OpenSSL's RNG.
Result<std::string> RandomSecret();

}  // namespace pgstack::core
