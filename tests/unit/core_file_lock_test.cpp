// The one lock that processes share through a file: held locks exclude each other (between open
// files of one process and between processes), a wait for one is bounded and ends when the holder
// lets go or dies, a waiter can say who holds it, and a lock on a file deleted meanwhile is
// taken again on the file now at the path.
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "pgstack/core/file_lock.h"
#include "pgstack/core/interrupt.h"
#include "pgstack/core/process.h"

namespace pgstack::core {
namespace {

using std::chrono::milliseconds;

class FileLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "pgstack-fl.XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
    path_ = dir_ + "/x.lock";
  }
  void TearDown() override {
    ResetInterruptForTest();
    std::filesystem::remove_all(dir_);
  }
  std::string dir_;
  std::string path_;
};

std::string Contents(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

// A child process that holds an exclusive flock on path, until told to exit.
class OtherProcess {
 public:
  explicit OtherProcess(const std::string& path) {
    int ready[2];
    if (::pipe(ready) != 0 || ::pipe(go_) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(go_[1]);  // so that the read below ends with the test process too
      int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
      char c = (fd >= 0 && ::flock(fd, LOCK_EX) == 0) ? 'y' : 'n';
      (void)!::write(ready[1], &c, 1);
      (void)!::read(go_[0], &c, 1);  // until told, or until the test process is gone
      ::_exit(0);
    }
    char c = 'n';
    if (pid_ > 0) (void)!::read(ready[0], &c, 1);
    holds_ = c == 'y';
    ::close(ready[0]);
    ::close(ready[1]);
  }
  ~OtherProcess() {
    Exit();
    ::close(go_[0]);
    ::close(go_[1]);
  }
  bool holds() const { return holds_; }
  pid_t pid() const { return pid_; }
  // Ends the child (and so its lock) and reaps it.
  void Exit() {
    if (pid_ <= 0) return;
    (void)!::write(go_[1], "x", 1);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  int go_[2] = {-1, -1};
  pid_t pid_ = -1;
  bool holds_ = false;
};

TEST_F(FileLockTest, AHeldLockExcludesAnotherOpenFileAndComesFreeWhenReleased) {
  std::optional<FileLock> first;
  {
    auto lock = FileLock::Acquire(path_, {});
    ASSERT_TRUE(lock.ok()) << lock.status().message();
    first.emplace(std::move(*lock));
  }
  auto second = FileLock::Acquire(path_, {});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Code::kLockTimeout);
  first.reset();
  EXPECT_TRUE(FileLock::Acquire(path_, {}).ok());
}

TEST_F(FileLockTest, SharedLocksCoexistAndKeepAnExclusiveOneOut) {
  auto a = FileLock::Acquire(path_, {.mode = LockMode::kShared});
  auto b = FileLock::Acquire(path_, {.mode = LockMode::kShared});
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_TRUE(b.ok()) << b.status().message();
  auto exclusive = FileLock::Acquire(path_, {.mode = LockMode::kExclusive});
  EXPECT_EQ(exclusive.status().code(), Code::kLockTimeout);
}

TEST_F(FileLockTest, AnotherProcessHoldsItAndTheWaitIsBoundedAndSaysByWhom) {
  OtherProcess other(path_);
  ASSERT_TRUE(other.holds());
  std::vector<std::string> told;
  auto lock =
      FileLock::Acquire(path_, {.timeout = milliseconds(100),
                                .what = "the test's lock",
                                .on_wait = [&](const std::string& why) { told.push_back(why); }});
  ASSERT_FALSE(lock.ok());
  EXPECT_EQ(lock.status().code(), Code::kLockTimeout);
  // Nothing recorded: the kernel's word, and the process's name.
  std::string held = fmt::format("held by pid {} ({})", other.pid(), ProcessName(other.pid()));
  EXPECT_EQ(lock.status().message(), "gave up waiting for the test's lock after 100 ms: " + held);
  EXPECT_EQ(told, std::vector<std::string>{held});  // once, at the first look
  EXPECT_EQ(LockHolder(path_), held.substr(8));
}

TEST_F(FileLockTest, AWaitEndsWhenTheHolderDies) {
  OtherProcess other(path_);
  ASSERT_TRUE(other.holds());
  int told = 0;
  // The holder ends (no unlock of its own: the kernel lets go) once we wait.
  auto lock = FileLock::Acquire(
      path_, {.timeout = std::chrono::seconds(30), .on_wait = [&](const std::string&) {
                ++told;
                other.Exit();
              }});
  EXPECT_TRUE(lock.ok()) << lock.status().message();
  EXPECT_EQ(told, 1);
}

TEST_F(FileLockTest, TheHolderRecordsWhatItDoesAndErasesItWhenItLetsGo) {
  std::optional<FileLock> holder;
  {
    auto lock = FileLock::Acquire(path_, {});
    ASSERT_TRUE(lock.ok()) << lock.status().message();
    ASSERT_TRUE(lock->Record("pgstack up").ok());
    holder.emplace(std::move(*lock));
  }
  std::string me = fmt::format("pid {} (pgstack up)", ::getpid());
  EXPECT_EQ(LockHolder(path_), me);
  auto waiter = FileLock::Acquire(path_, {});
  EXPECT_EQ(waiter.status().message(),
            "gave up waiting for " + path_ + " after 0 ms: held by " + me);
  // A second record replaces the first.
  ASSERT_TRUE(holder->Record("pgstack down").ok());
  EXPECT_EQ(Contents(path_), fmt::format("pid {} (pgstack down)\n", ::getpid()));
  holder.reset();
  EXPECT_EQ(Contents(path_), "");
}

TEST_F(FileLockTest, AFileDeletedUnderTheHolderIsOpenedAgain) {
  std::optional<FileLock> holder;
  {
    auto lock = FileLock::Acquire(path_, {});
    ASSERT_TRUE(lock.ok()) << lock.status().message();
    holder.emplace(std::move(*lock));
  }
  int opened = 0;
  // The holder deletes the file, then lets go: our lock on the old file would protect nothing.
  auto lock = FileLock::Acquire(path_, {.timeout = std::chrono::seconds(30),
                                        .on_wait =
                                            [&](const std::string&) {
                                              std::filesystem::remove(path_);
                                              holder.reset();
                                            },
                                        .before_open =
                                            [&] {
                                              ++opened;
                                              return Status::Ok();
                                            }});
  ASSERT_TRUE(lock.ok()) << lock.status().message();
  EXPECT_EQ(opened, 2);
  ASSERT_TRUE(std::filesystem::exists(path_));
  EXPECT_EQ(FileLock::Acquire(path_, {}).status().code(), Code::kLockTimeout);
}

TEST_F(FileLockTest, AFailureBeforeOpeningEndsTheAttempt) {
  auto lock = FileLock::Acquire(path_, {.timeout = std::chrono::seconds(30),
                                        .before_open = [] { return Status::InvalidInput("no"); }});
  EXPECT_EQ(lock.status().code(), Code::kInvalidInput);
  EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_F(FileLockTest, AFileThatCannotBeOpenedIsAFailureNotATimeout) {
  auto lock = FileLock::Acquire(dir_ + "/missing/x.lock", {.timeout = std::chrono::seconds(30)});
  EXPECT_EQ(lock.status().code(), Code::kFailure);
  EXPECT_NE(lock.status().message().find("cannot open the lock file"), std::string::npos)
      << lock.status().message();
}

TEST_F(FileLockTest, CtrlCEndsTheWait) {
  OtherProcess other(path_);
  ASSERT_TRUE(other.holds());
  auto lock =
      FileLock::Acquire(path_, {.timeout = std::chrono::seconds(30),
                                .on_wait = [](const std::string&) { SimulateInterrupt(SIGINT); }});
  EXPECT_EQ(lock.status().code(), Code::kInterrupted) << lock.status().message();
}

}  // namespace
}  // namespace pgstack::core
