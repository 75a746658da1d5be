// Where a filesystem puts the folders made in a folder. ext2/3/4 keep a new folder near its
// parent's block group, unless the parent is marked the top of a hierarchy (`chattr +T`): then
// each new folder starts in a group of its own. That matters on ext4 without a journal, whose
// inode allocator skips, one by one, each inode freed in the last 5 s (305 s while its inode
// table block is dirty). A folder whose subfolders are made and removed again and again (the
// databases under a cluster's base/: migrate diff's scratch databases, testdb's clones) fills
// its group with such inodes, and each new file waits behind them: here, 1,500 files in a new
// folder under a busy base/ took 380 ms, and 16 ms once base/ was marked.
#pragma once

#include <string>

namespace pgstack::core {

// Marks dir the top of a hierarchy (FS_TOPDIR_FL). Returns whether dir now carries the mark;
// false where the filesystem has no such mark (it is a placement hint: nothing else changes).
bool SpreadSubdirs(const std::string& dir);

}  // namespace pgstack::core
