// Finding PostgreSQL 17, with a fake process runner standing in for `postgres --version`.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "stack/internal.h"

namespace pgstack::stack {
namespace {

class FakeRunner : public core::ProcessRunner {
 public:
  explicit FakeRunner(std::string version_line) : line_(std::move(version_line)) {}
  Result<core::CommandOutput> Run(const core::Command& cmd) override {
    commands.push_back(cmd.argv);
    return core::CommandOutput{.exit_code = 0, .output = line_ + "\n"};
  }
  std::vector<std::vector<std::string>> commands;

 private:
  std::string line_;
};

// A folder with executable initdb, pg_ctl and postgres files (never run: the runner is fake).
std::string FakeBinDir() {
  char tmpl[] = "/tmp/pgstack-bin.XXXXXX";
  std::string dir = mkdtemp(tmpl);
  for (const char* name : {"initdb", "pg_ctl", "postgres"}) {
    std::string path = dir + "/" + name;
    std::ofstream(path) << "#!/bin/false\n";
    chmod(path.c_str(), 0755);
  }
  return dir;
}

TEST(FindPgBinaries, AcceptsSeventeen) {
  std::string dir = FakeBinDir();
  FakeRunner runner("postgres (PostgreSQL) 17.10");
  auto found = FindPgBinaries(dir, "", runner);
  ASSERT_TRUE(found.ok()) << found.status().message();
  EXPECT_EQ(found->dir, dir);
  EXPECT_EQ(found->version, "17.10");
  EXPECT_EQ(found->version_line, "postgres (PostgreSQL) 17.10");  // the cache's key needs it
  ASSERT_EQ(runner.commands.size(), 1u);
  EXPECT_EQ(runner.commands[0], (std::vector<std::string>{dir + "/postgres", "--version"}));
  std::filesystem::remove_all(dir);
}

TEST(FindPgBinaries, RefusesAnotherMajorVersionNamingTheFlag) {
  std::string dir = FakeBinDir();
  FakeRunner runner("postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)");
  auto found = FindPgBinaries(dir, "", runner);
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), Code::kInvalidInput);
  EXPECT_EQ(found.status().message(),
            "--pg-bin " + dir + ": PostgreSQL 15.18, but pgstack needs 17.x");
  std::filesystem::remove_all(dir);
}

TEST(FindPgBinaries, RefusesAFolderWithoutTheBinaries) {
  FakeRunner runner("postgres (PostgreSQL) 17.10");
  auto found = FindPgBinaries("/nonexistent/bin", "", runner);
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), Code::kInvalidInput);
  EXPECT_NE(found.status().message().find("/nonexistent/bin: no postgres, initdb and pg_ctl here"),
            std::string::npos);
  EXPECT_TRUE(runner.commands.empty());
}

TEST(FindPgBinaries, TrustsTheRememberedFolderWithoutRunningIt) {
  std::string dir = FakeBinDir();
  FakeRunner runner("postgres (PostgreSQL) 17.10");
  unsetenv("PGSTACK_PG_BIN");
  auto found = FindPgBinaries("", dir, runner);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->dir, dir);
  EXPECT_TRUE(runner.commands.empty());
  std::filesystem::remove_all(dir);
}

TEST(FindPgBinaries, RemembersTheVersionOfABinaryUntilItChanges) {
  std::string dir = FakeBinDir();
  std::string memo = dir + "/memo";
  FakeRunner runner("postgres (PostgreSQL) 17.10 (Debian 17.10-1)");
  for (int i = 0; i < 2; ++i) {
    auto found = FindPgBinaries(dir, "", runner, memo);
    ASSERT_TRUE(found.ok()) << found.status().message();
    EXPECT_EQ(found->version, "17.10");
    EXPECT_EQ(found->version_line, "postgres (PostgreSQL) 17.10 (Debian 17.10-1)");
  }
  EXPECT_EQ(runner.commands.size(), 1u);  // the second call read the memo
  // Another build in the same place (an upgrade): asked again.
  std::ofstream(dir + "/postgres", std::ios::app) << "# rebuilt\n";
  ASSERT_TRUE(FindPgBinaries(dir, "", runner, memo).ok());
  EXPECT_EQ(runner.commands.size(), 2u);
  // Without a memo folder every call asks.
  ASSERT_TRUE(FindPgBinaries(dir, "", runner).ok());
  EXPECT_EQ(runner.commands.size(), 3u);
  std::filesystem::remove_all(dir);
}

// PgBouncer started with -q says why it failed only in its log: nothing on stdout or stderr.
TEST(RunAs, AProgramThatPrintedNothingIsAnErrorNotACrash) {
  class Silent : public core::ProcessRunner {
   public:
    Result<core::CommandOutput> Run(const core::Command&) override {
      return core::CommandOutput{.exit_code = 1, .output = "\n"};
    }
  } runner;
  Status s = RunAs(runner, core::OsUser{.name = "root"}, {"pgbouncer", "-d", "-q"}, "pgbouncer");
  EXPECT_EQ(s.message(), "pgbouncer failed (exit 1): ");
}

}  // namespace
}  // namespace pgstack::stack
