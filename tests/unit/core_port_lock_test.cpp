// Ports taken under a lock: a port one PortLock holds is never handed out again until it is let go.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <set>
#include <vector>

#include "pgstack/core/os.h"
#include "pgstack/core/port_lock.h"

namespace pgstack::core {
namespace {

// Whether another open file description could lock the port's file now.
bool Lockable(int port) {
  std::string path = PortLockDir() + "/" + std::to_string(port) + ".lock";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
  ::close(fd);
  return ok;
}

TEST(PortLock, HeldPortsAreDistinctFreeAndLocked) {
  std::vector<PortLock> held;
  std::set<int> ports;
  for (int i = 0; i < 20; ++i) {
    auto lock = PortLock::Take("127.0.0.1");
    ASSERT_TRUE(lock.ok()) << lock.status().message();
    EXPECT_FALSE(PortInUse("127.0.0.1", lock->port()));
    EXPECT_FALSE(Lockable(lock->port())) << lock->port();
    ports.insert(lock->port());
    held.push_back(std::move(*lock));
  }
  EXPECT_EQ(ports.size(), held.size());
  int first = held.front().port();
  held.erase(held.begin());
  EXPECT_TRUE(Lockable(first));
}

TEST(PortLock, MovedLockKeepsItsPort) {
  auto lock = PortLock::Take("localhost");
  ASSERT_TRUE(lock.ok()) << lock.status().message();
  int port = lock->port();
  PortLock moved = std::move(*lock);
  EXPECT_EQ(moved.port(), port);
  EXPECT_FALSE(Lockable(port));
}

TEST(PortLock, AHostThatIsNoAddressIsAnError) {
  EXPECT_FALSE(PortLock::Take("not an address").ok());
}

}  // namespace
}  // namespace pgstack::core
