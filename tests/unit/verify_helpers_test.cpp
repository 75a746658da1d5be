// The pieces of verify that need no server: socket tables and the log scan.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "verify/listen_sockets.h"
#include "verify/secret_scan.h"
#include "verify/text.h"

namespace pgstack::verify {
namespace {

TEST(VerifyListen, ParsesListeningSocketsOfBothTables) {
  // Real lines: 127.0.0.1:5432 and 0.0.0.0:6432 listening, one established connection.
  const char* tcp =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid\n"
      "   0: 0100007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   101\n"
      "   1: 00000000:1920 00000000:0000 0A 00000000:00000000 00:00000000 00000000   101\n"
      "   2: 0100007F:1538 0100007F:A1B2 01 00000000:00000000 00:00000000 00000000   101\n";
  auto v4 = ParseProcNetTcp(tcp, false);
  ASSERT_EQ(v4.size(), 2u);
  EXPECT_EQ(v4[0].address, "127.0.0.1");
  EXPECT_EQ(v4[0].port, 5432);
  EXPECT_EQ(v4[1].address, "0.0.0.0");
  EXPECT_EQ(v4[1].port, 6432);

  const char* tcp6 =
      "  sl  local_address                         remote_address                        st\n"
      "   0: 00000000000000000000000001000000:1538 00000000000000000000000000000000:0000 0A\n"
      "   1: 00000000000000000000000000000000:1920 00000000000000000000000000000000:0000 0A\n";
  auto v6 = ParseProcNetTcp(tcp6, true);
  ASSERT_EQ(v6.size(), 2u);
  EXPECT_EQ(v6[0].address, "::1");
  EXPECT_EQ(v6[1].address, "::");
}

TEST(VerifyListen, LoopbackAndWhatTheConfigAllows) {
  EXPECT_TRUE(IsLoopback("127.0.0.1"));
  EXPECT_TRUE(IsLoopback("127.10.0.3"));
  EXPECT_TRUE(IsLoopback("::1"));
  EXPECT_TRUE(IsLoopback("::ffff:127.0.0.1"));
  EXPECT_TRUE(IsLoopback("localhost"));
  EXPECT_FALSE(IsLoopback("0.0.0.0"));
  EXPECT_FALSE(IsLoopback("10.1.2.3"));
  EXPECT_FALSE(IsLoopback("::"));

  EXPECT_TRUE(ListenAllowed("127.0.0.1", "127.0.0.1"));
  EXPECT_TRUE(ListenAllowed("::1", "127.0.0.1"));
  EXPECT_FALSE(ListenAllowed("0.0.0.0", "127.0.0.1"));
  EXPECT_FALSE(ListenAllowed("0.0.0.0", "localhost"));
  EXPECT_FALSE(ListenAllowed("::", ""));
  EXPECT_TRUE(ListenAllowed("0.0.0.0", "*"));
  EXPECT_TRUE(ListenAllowed("::", "localhost, *"));
  EXPECT_TRUE(ListenAllowed("10.1.2.3", "127.0.0.1, 10.1.2.3"));
  EXPECT_FALSE(ListenAllowed("10.1.2.4", "127.0.0.1, 10.1.2.3"));
  EXPECT_TRUE(ListenAllowed("0.0.0.0", "0.0.0.0"));
}

class SecretScan : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("pgstack-secret-scan-" + std::to_string(::getpid())))
                .string();
  }
  void TearDown() override { std::remove(path_.c_str()); }
  void Write(const std::string& content) { std::ofstream(path_, std::ios::binary) << content; }
  std::string path_;
};

TEST_F(SecretScan, FindsTheLineOfTheFirstOccurrence) {
  Write("line one\nALTER ROLE x PASSWORD 'hunter2-secret'\nthird hunter2-secret\n");
  auto hit = FindSecretInFile(path_, "hunter2-secret");
  ASSERT_TRUE(hit.ok());
  EXPECT_EQ(*hit, 2);
  auto miss = FindSecretInFile(path_, "not-there");
  ASSERT_TRUE(miss.ok());
  EXPECT_EQ(*miss, std::nullopt);
}

TEST_F(SecretScan, FindsASecretSplitAcrossReadChunks) {
  // The scan reads 1 MiB at a time; put the secret across the first boundary.
  const std::string secret = "0123456789abcdef";
  std::string text(1 << 20, 'x');
  for (size_t i = 1000; i < text.size(); i += 1000) text[i] = '\n';
  text.replace(text.size() - 5, 5, secret.substr(0, 5));
  text += secret.substr(5) + "\ntail\n";
  Write(text);
  auto hit = FindSecretInFile(path_, secret);
  ASSERT_TRUE(hit.ok());
  ASSERT_TRUE(hit->has_value());
  EXPECT_EQ(**hit, static_cast<long long>((text.size() - 5) / 1000) + 1);
}

TEST_F(SecretScan, AMissingFileIsAnError) {
  EXPECT_FALSE(FindSecretInFile(path_ + ".none", "x").ok());
}

TEST(VerifyText, ArrayLiteralQuotesEveryItem) {
  EXPECT_EQ(TextArray({}), "{}");
  EXPECT_EQ(TextArray({"max_connections", "a\"b", "c\\d", "x,y"}),
            "{\"max_connections\",\"a\\\"b\",\"c\\\\d\",\"x,y\"}");
  EXPECT_EQ(FormatMs(0.234), "0.23 ms");
  EXPECT_EQ(FormatMs(7.81), "7.8 ms");
  EXPECT_EQ(FormatMs(260.4), "260 ms");
}

}  // namespace
}  // namespace pgstack::verify
