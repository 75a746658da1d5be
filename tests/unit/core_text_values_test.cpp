// Small readers and writers of values in text: integers from a server, postgresql.conf values,
// pidfiles.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "pgstack/core/conf_value.h"
#include "pgstack/core/elapsed.h"
#include "pgstack/core/parse_int.h"
#include "pgstack/core/process.h"

namespace pgstack::core {
namespace {

TEST(CoreParseInt, ReadsWholeNumbers) {
  EXPECT_EQ(*ParseInt<int>("100", "max_connections"), 100);
  EXPECT_EQ(*ParseInt<int>("-3", "x"), -3);
  EXPECT_EQ(*ParseInt<long long>("8589934592", "pg_table_size"), 8589934592LL);
}

TEST(CoreParseInt, BadTextIsAnErrorNamingWhatWasRead) {
  for (const char* bad : {"", "abc", "12abc", " 12", "1.5", "--1"}) {
    auto r = ParseInt<int>(bad, "max_connections");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), Code::kFailure);
    EXPECT_NE(r.status().message().find("max_connections: expected a whole number"),
              std::string::npos)
        << r.status().message();
  }
  auto big = ParseInt<int>("8589934592", "reserved");
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("reserved: '8589934592' is out of range"),
            std::string::npos)
      << big.status().message();
  EXPECT_TRUE(ParseInt<long long>("8589934592", "reserved").ok());
}

TEST(CoreConfValue, QuotesAndEscapesWhatTheConfigLexerReads) {
  EXPECT_EQ(QuoteConfValue("/var/run/postgresql"), "'/var/run/postgresql'");
  EXPECT_EQ(QuoteConfValue("it's"), "'it''s'");
  EXPECT_EQ(QuoteConfValue("C:\\data"), "'C:\\\\data'");
  EXPECT_EQ(QuoteConfValue(""), "''");
}

// unix_socket_directories is a list: a state dir whose path holds a comma or a double quote must
// stay one directory.
TEST(CoreConfValue, ListElementsKeepCommasAndQuotes) {
  EXPECT_EQ(QuoteConfListElement("/tmp/s/run"), "/tmp/s/run");
  EXPECT_EQ(QuoteConfListElement("/tmp/it's/run"), "/tmp/it's/run");
  EXPECT_EQ(QuoteConfListElement("/tmp/a,b/run"), "\"/tmp/a,b/run\"");
  EXPECT_EQ(QuoteConfListElement("/tmp/say \"hi\"/run"), "\"/tmp/say \"\"hi\"\"/run\"");
  EXPECT_EQ(QuoteConfValue(QuoteConfListElement("/tmp/it's,x/run")), "'\"/tmp/it''s,x/run\"'");
}

TEST(CoreReadPidFile, ReadsThePidOnTheFirstLine) {
  std::string dir = ::testing::TempDir();
  auto write = [&](const std::string& name, const std::string& text) {
    std::string path = dir + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  };
  // postmaster.pid: the pid, then the data directory and more.
  EXPECT_EQ(ReadPidFile(write("postmaster.pid", "4242\n/var/lib/data\n1700000000\n")), 4242);
  EXPECT_EQ(ReadPidFile(write("pgbouncer.pid", "77")), 77);
  EXPECT_EQ(ReadPidFile(write("empty.pid", "")), 0);
  EXPECT_EQ(ReadPidFile(write("junk.pid", "pid 12\n")), 0);
  EXPECT_EQ(ReadPidFile(write("neg.pid", "-5\n")), 0);
  EXPECT_EQ(ReadPidFile(dir + "/missing.pid"), 0);
  EXPECT_EQ(ProcessName(getpid()), "unit_tests");
}

TEST(CoreElapsed, MillisecondsOnTheSteadyClock) {
  auto t0 = std::chrono::steady_clock::now() - std::chrono::milliseconds(1500);
  EXPECT_GE(MsSince(t0), 1500.0);
  EXPECT_LT(MsSince(t0), 60000.0);
  EXPECT_GE(MsSince<int>(t0), 1500);
}

}  // namespace
}  // namespace pgstack::core
