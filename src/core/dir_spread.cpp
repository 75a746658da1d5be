#include "pgstack/core/dir_spread.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace pgstack::core {

bool SpreadSubdirs(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  // The kernel reads and writes an int here, whatever the macro's type says.
  int flags = 0;
  bool marked = ::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
  if (marked && (flags & FS_TOPDIR_FL) == 0) {
    flags |= FS_TOPDIR_FL;
    marked = ::ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
  }
  ::close(fd);
  return marked;
}

}  // namespace pgstack::core
