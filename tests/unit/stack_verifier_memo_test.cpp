// The verifier memo without a server: it vouches for exactly the pair it remembered, and for
// nothing when its file is missing, damaged or unset.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "pgstack/location/stack_state.h"
#include "stack/verifier_memo.h"

namespace pgstack::stack {
namespace {

namespace fs = std::filesystem;

constexpr char kVerifier[] =
    "SCRAM-SHA-256$4096:c2FsdHNhbHRzYWx0$"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=";
constexpr char kOtherVerifier[] =
    "SCRAM-SHA-256$4096:b3RoZXJzYWx0b3RoZXI=$"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=";

class VerifierMemoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pgstack-memo-test.XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/credentials.json.verified";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_, path_;
};

TEST_F(VerifierMemoTest, VouchesForTheRememberedPairOnly) {
  VerifierMemo memo(path_);
  EXPECT_FALSE(memo.Vouches(kVerifier, "secret"));  // no file yet
  ASSERT_TRUE(memo.Remember(kVerifier, "secret").ok());
  EXPECT_TRUE(memo.Vouches(kVerifier, "secret"));
  EXPECT_FALSE(memo.Vouches(kVerifier, "secreT"));
  EXPECT_FALSE(memo.Vouches(kVerifier, ""));
  EXPECT_FALSE(memo.Vouches(kOtherVerifier, "secret"));
  // A new verifier replaces the old: the memo holds one pair.
  ASSERT_TRUE(memo.Remember(kOtherVerifier, "secret").ok());
  EXPECT_TRUE(memo.Vouches(kOtherVerifier, "secret"));
  EXPECT_FALSE(memo.Vouches(kVerifier, "secret"));
}

TEST_F(VerifierMemoTest, FileIsPrivateAndHoldsNeitherPasswordNorVerifier) {
  ASSERT_TRUE(VerifierMemo(path_).Remember(kVerifier, "secret-password").ok());
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream in(path_);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, VerifierMemo::Digest(kVerifier, "secret-password") + "\n");
  EXPECT_EQ(text.find("secret"), std::string::npos);
  EXPECT_EQ(text.find("SCRAM"), std::string::npos);
}

TEST_F(VerifierMemoTest, DigestSeparatesItsParts) {
  std::string d = VerifierMemo::Digest("ab", "c");
  EXPECT_EQ(d.size(), 64u);
  EXPECT_NE(d, VerifierMemo::Digest("b", "ac"));
  EXPECT_NE(d, VerifierMemo::Digest("c", "ab"));
  EXPECT_EQ(d, VerifierMemo::Digest("ab", "c"));
}

TEST_F(VerifierMemoTest, DamagedOrUnsetMemoVouchesForNothing) {
  std::ofstream(path_) << "not a digest\n";
  EXPECT_FALSE(VerifierMemo(path_).Vouches(kVerifier, "secret"));
  std::ofstream(path_) << VerifierMemo::Digest(kVerifier, "secret");  // no newline: not ours
  EXPECT_FALSE(VerifierMemo(path_).Vouches(kVerifier, "secret"));
  VerifierMemo unset("");
  EXPECT_TRUE(unset.Remember(kVerifier, "secret").ok());
  EXPECT_FALSE(unset.Vouches(kVerifier, "secret"));
}

TEST(VerifierMemoPath, SitsBesideTheCredentials) {
  location::StatePaths paths("/tmp/some-state");
  EXPECT_EQ(VerifierMemo::PathIn(paths), paths.credentials + ".verified");
  EXPECT_TRUE(location::IsStateDirEntry(fs::path(VerifierMemo::PathIn(paths)).filename().string()));
}

}  // namespace
}  // namespace pgstack::stack
