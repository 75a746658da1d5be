// RestoreFile: the rollback `up` runs when the server rejects a new config. Its caller says
// "restored" only on success, so a failure must come back as an error, never be swallowed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "pgstack/core/files.h"

namespace fs = std::filesystem;
using pgstack::core::ReadFileIfExists;
using pgstack::core::RestoreFile;

class RestoreFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pgstack_restore_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

TEST_F(RestoreFileTest, PutsTheOldContentBack) {
  std::ofstream(Path("pgstack.conf")) << "work_mem = 'nonsense'\n";
  ASSERT_TRUE(RestoreFile(Path("pgstack.conf"), "work_mem = '4MB'\n", 0600).ok());
  auto now = ReadFileIfExists(Path("pgstack.conf"));
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now.value().value_or("<none>"), "work_mem = '4MB'\n");
  EXPECT_EQ(fs::status(Path("pgstack.conf")).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
}

TEST_F(RestoreFileTest, RemovesAFileThatDidNotExistBefore) {
  std::ofstream(Path("pgstack.conf")) << "new\n";
  ASSERT_TRUE(RestoreFile(Path("pgstack.conf"), std::nullopt, 0600).ok());
  EXPECT_FALSE(fs::exists(Path("pgstack.conf")));
}

TEST_F(RestoreFileTest, AFailedWriteIsAnErrorNamingTheFile) {
  // A directory where the file should be: the rename onto it fails.
  fs::create_directories(Path("pgstack.conf") + "/inside");
  auto restored = RestoreFile(Path("pgstack.conf"), "old\n", 0600);
  ASSERT_FALSE(restored.ok());
  EXPECT_NE(restored.message().find("pgstack.conf"), std::string::npos) << restored.message();
}

TEST_F(RestoreFileTest, AFailedRemoveIsAnErrorNamingTheFile) {
  fs::create_directories(Path("pgstack.conf") + "/inside");
  auto restored = RestoreFile(Path("pgstack.conf"), std::nullopt, 0600);
  ASSERT_FALSE(restored.ok());
  EXPECT_NE(restored.message().find("pgstack.conf"), std::string::npos) << restored.message();
}
