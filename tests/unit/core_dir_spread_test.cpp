// core::SpreadSubdirs on a real folder: the mark is there afterwards, as the kernel reports it,
// and marking again keeps it. A filesystem without the mark (tmpfs) skips the test.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <filesystem>

#include "pgstack/core/dir_spread.h"

namespace pgstack::core {
namespace {

int FlagsOf(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  int flags = -1;
  if (fd >= 0 && ::ioctl(fd, FS_IOC_GETFLAGS, &flags) != 0) flags = -1;
  if (fd >= 0) ::close(fd);
  return flags;
}

TEST(DirSpread, MarksTheFolderTheTopOfAHierarchy) {
  // Beside the build, not under /tmp: the test wants the disk's filesystem.
  std::string dir = std::filesystem::current_path().string() + "/dir_spread_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directory(dir);
  int before = FlagsOf(dir);
  if (before < 0) GTEST_SKIP() << "this filesystem keeps no inode flags";
  ASSERT_EQ(before & FS_TOPDIR_FL, 0);
  if (!SpreadSubdirs(dir)) GTEST_SKIP() << "this filesystem has no top-of-hierarchy mark";
  EXPECT_NE(FlagsOf(dir) & FS_TOPDIR_FL, 0);
  EXPECT_TRUE(SpreadSubdirs(dir));
  EXPECT_NE(FlagsOf(dir) & FS_TOPDIR_FL, 0);
  EXPECT_FALSE(SpreadSubdirs(dir + "/missing"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pgstack::core
