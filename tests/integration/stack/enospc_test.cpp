// A full disk (issue 12, items 1 and 16): on a small tmpfs as the state dir, initdb and the cache
// copy fail with one line that names ENOSPC and the path, start nothing, and leave a state dir
// that `up` (once there is room), `status`, `down` and `destroy --yes` handle; verify never
// advises a grant for a server that cannot write. Needs root (mount); skipped otherwise.
#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fixture.h"

namespace pgstack::testing {
namespace {

namespace fs = std::filesystem;

// The lines of `text` that contain `needle`.
std::vector<std::string> LinesWith(const std::string& text, const std::string& needle) {
  std::vector<std::string> found;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.find(needle) != std::string::npos) found.push_back(line);
  return found;
}

class Enospc : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"a", "b"}) {
      std::string dir = TempDir("enospc") + "/" + name;
      fs::create_directory(dir);
      // mode=755: the service user must reach the state dir inside.
      if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=8m,mode=755") != 0) {
        GTEST_SKIP() << "cannot mount a tmpfs on " << dir << " (" << std::strerror(errno)
                     << "): the full-disk test needs root";
      }
      disks_.push_back(dir);
    }
  }
  void TearDown() override {
    for (const auto& d : disks_) {
      RunPgstack(Args(d + "/s", {"destroy", "--yes"}), Env());
      ::umount2(d.c_str(), MNT_DETACH);
    }
  }
  std::map<std::string, std::string> Env() const { return {{"XDG_CACHE_HOME", cache_home_}}; }
  std::vector<std::string> Args(const std::string& state, std::vector<std::string> extra) const {
    std::vector<std::string> a = {
        "--config", SourceDir() + "/config/database.json", "--env", "test", "--state-dir", state};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  core::CommandOutput Run(const std::string& state, std::vector<std::string> extra) const {
    return RunPgstack(Args(state, std::move(extra)), Env());
  }
  // A failed `up` on a full disk: one line names ENOSPC and where, nothing runs, nothing of the
  // half-written cluster is left, and every command copes with what is.
  void ExpectFullDiskHandled(const core::CommandOutput& up, const std::string& state) const {
    EXPECT_NE(up.exit_code, 0) << up.output;
    auto lines = LinesWith(up.output, "ENOSPC");
    ASSERT_EQ(lines.size(), 1u) << up.output;
    EXPECT_NE(lines[0].find("no space left on device"), std::string::npos) << up.output;
    EXPECT_NE(lines[0].find(state + "/data"), std::string::npos) << up.output;
    EXPECT_FALSE(fs::exists(state + "/data/postmaster.pid"));
    EXPECT_FALSE(fs::exists(state + "/data.init"));
    EXPECT_FALSE(fs::exists(state + "/data.copy"));
    EXPECT_EQ(LinesWith(Run(state, {"verify"}).output, "GRANT").size(), 0u);
    auto status = Run(state, {"status"});
    EXPECT_NE(status.output.find("stopped"), std::string::npos) << status.output;
    auto down = Run(state, {"down"});
    EXPECT_EQ(down.exit_code, 0) << down.output;
  }

  std::string cache_home_ = TempDir("enospc-cache");
  std::vector<std::string> disks_;
};

TEST_F(Enospc, InitdbAndTheCacheCopyOnAFullDiskSayENOSPCAndLeaveAStackUpCanFinish) {
  // An empty cache: the first `up` runs initdb, which needs ~40 MB.
  std::string a = disks_[0] + "/s";
  auto up = Run(a, {"up", "--pg-port", "0", "--pool-port", "0"});
  EXPECT_NE(up.output.find("initdb's new cluster"), std::string::npos) << up.output;
  ExpectFullDiskHandled(up, a);

  // Room again: the same state dir comes up (and fills the cache).
  ASSERT_EQ(::mount(nullptr, disks_[0].c_str(), nullptr, MS_REMOUNT, "size=256m,mode=755"), 0)
      << std::strerror(errno);
  auto again = Run(a, {"up"});
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("and cached its twin"), std::string::npos) << again.output;

  // The cache copy into a full disk.
  std::string b = disks_[1] + "/s";
  auto copy = Run(b, {"up", "--pg-port", "0", "--pool-port", "0"});
  EXPECT_NE(copy.output.find("copied from the cache"), std::string::npos) << copy.output;
  ExpectFullDiskHandled(copy, b);
  auto destroy = Run(b, {"destroy", "--yes"});
  EXPECT_EQ(destroy.exit_code, 0) << destroy.output;
  EXPECT_FALSE(fs::exists(b));

  // A running server whose disk fills: verify says so instead of advising a grant.
  {
    std::ofstream filler(disks_[0] + "/filler", std::ios::binary);
    std::string block(1 << 20, '\0');
    while (filler.write(block.data(), static_cast<std::streamsize>(block.size()))) {
    }
  }
  auto verify = Run(a, {"verify", "--check", "postgres.create_table"});
  EXPECT_NE(verify.exit_code, 0) << verify.output;
  EXPECT_NE(verify.output.find("ENOSPC"), std::string::npos) << verify.output;
  EXPECT_EQ(verify.output.find("GRANT"), std::string::npos) << verify.output;
  fs::remove(disks_[0] + "/filler");
}

}  // namespace
}  // namespace pgstack::testing
