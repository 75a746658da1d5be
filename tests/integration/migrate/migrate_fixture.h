// The fixture of the migrate integration tests: a fresh history on the shared stack for each
// test, the real binary run to completion or spawned (for signals), and queries to check.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fixture.h"

namespace pgstack::testing {

namespace fs = std::filesystem;
using nlohmann::json;

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class Migrate : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = TestStack::Shared().Direct();
    ASSERT_TRUE(c.ok()) << c.status().message();
    // A fresh history and none of the tables an earlier test made.
    ASSERT_TRUE(c->Run("SET client_min_messages = warning; DROP SCHEMA IF EXISTS pgstack CASCADE; "
                       "DROP SCHEMA IF EXISTS mt CASCADE; "
                       "CREATE SCHEMA mt")
                    .ok());
    dir_ = TempDir("mig");
  }

  core::CommandOutput Run(std::vector<std::string> args) {
    args.insert(args.begin(), "migrate");
    return TestStack::Shared().Pgstack(args);
  }
  std::string Scalar(const std::string& sql) {
    auto c = TestStack::Shared().Pooled();
    EXPECT_TRUE(c.ok());
    if (!c.ok()) return "";
    auto r = c->Exec(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().message();
    return r.ok() ? r->scalar() : "";
  }
  json StatusJson(const std::string& dir, const std::string& via = "--pooled") {
    auto out = TestStack::Shared().Pgstack({"--json", "migrate", "status", "--dir", dir, via});
    EXPECT_EQ(out.exit_code, 0) << out.output;
    size_t brace = out.output.find('{');
    return brace == std::string::npos ? json()
                                      : json::parse(out.output.substr(brace), nullptr, false);
  }
  // Rows of the history, -1 when it does not exist.
  int HistoryRows() {
    if (Scalar("SELECT to_regclass('pgstack.schema_history') IS NULL") == "t") return -1;
    return std::stoi(Scalar("SELECT count(*) FROM pgstack.schema_history"));
  }
  // Starts the binary without waiting (for SIGKILL); returns its pid.
  pid_t Spawn(std::vector<std::string> args, const std::string& log = "/dev/null") {
    args.insert(args.begin(), "migrate");
    return TestStack::Shared().SpawnPgstack(args, log);
  }
  // Waits until a runner's migration sleeps in pg_sleep(...) written as `text` (executing it:
  // the runner's syntax check sends the same text but does not sleep).
  void AwaitSleep(const std::string& text) {
    auto c = TestStack::Shared().Direct();
    ASSERT_TRUE(c.ok()) << c.status().message();
    Status seen = WaitFor(
        "a runner to sleep in " + text,
        [&] {
          auto r = c->Exec(
              "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND "
              "position($1 in query) > 0",
              {text});
          return r.ok() && r->scalar() != "0";
        },
        std::chrono::seconds(30));
    ASSERT_TRUE(seen.ok()) << seen.message();
  }

  std::string dir_;
};

inline std::string Fixture(const std::string& format) {
  return SourceDir() + "/tests/integration/migrate/fixtures/" + format;
}

}  // namespace pgstack::testing
