// Copying a directory tree (a PostgreSQL data directory) as fast as the filesystem allows, and
// making it durable with one call. Used by the cluster cache, in both directions.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "pgstack/core/status.h"

namespace pgstack::stack {

struct CopyStats {
  uint64_t files = 0;
  uint64_t bytes = 0;
  bool reflinked = false;  // at least one file shares its blocks with the source (FICLONE)
};

// Copies `from` to `to`, which must not exist. Each file is a reflink where the filesystem can
// share blocks (btrfs, XFS), else an in-kernel copy_file_range, else read/write. Modes are kept,
// and owners too when we are root (PostgreSQL refuses a data directory it does not own).
// Symlinks are recreated, not followed. On failure `to` may be left half-written: the caller
// copies into a temporary name and renames.
Result<CopyStats> CopyTree(const std::string& from, const std::string& to);

// A copy of a tree that changes while it is read (a running server's data directory, for a
// replica): an entry that vanishes between listing and opening is left out, and `skip` (given
// the path relative to `from`, e.g. "pg_wal/000000010000000000000001") leaves out what the
// caller does not want (a skipped directory with all it holds).
struct LiveCopy {
  std::function<bool(const std::string& relative)> skip;
};
Result<CopyStats> CopyTree(const std::string& from, const std::string& to, const LiveCopy& live);

// Flushes the whole filesystem that holds `path` (syncfs): one call instead of an fsync per
// file, as `initdb --sync-method=syncfs` does.
Status SyncFilesystem(const std::string& path);

// Flushes the files and folders under `path` and nothing else, as initdb's default sync does:
// writeback of every file is started first, then each is fsynced. Slower than SyncFilesystem
// on an idle disk, but it does not wait for what other processes write meanwhile, nor make
// their fsyncs wait behind it.
Status SyncTree(const std::string& path);

// The bytes of the regular files under `path` (0 when it does not exist).
uint64_t TreeBytes(const std::string& path);

}  // namespace pgstack::stack
