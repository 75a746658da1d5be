// `pgstack env` in every format and its --unset, and how every command finds its project: as git
// finds a repository (from any folder below the one holding config/database.json or .pgstack),
// or from PGSTACK_CONFIG and PGSTACK_STATE_DIR; and `up`'s hint that keeps the flags given.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "fixture.h"

namespace pgstack::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string Port(const TestStack& s) { return std::to_string(s.state().pool_port); }

// Runs the binary (no preset flags) from dir.
core::CommandOutput RunIn(const std::string& dir, const std::vector<std::string>& args,
                          const std::map<std::string, std::string>& env = {}) {
  std::string before = fs::current_path().string();
  EXPECT_EQ(chdir(dir.c_str()), 0);
  auto out = RunPgstack(args, env);
  EXPECT_EQ(chdir(before.c_str()), 0);
  return out;
}

TEST(Env, UnsetPrintsTheLinesThatLeaveAStacksEnvironment) {
  std::string nowhere = TempDir("noproject");  // needs no project, no config, no stack
  auto sh = RunIn(nowhere, {"env", "--unset"});
  EXPECT_EQ(sh.exit_code, 0) << sh.output;
  EXPECT_EQ(sh.output, "unset PGHOST PGPORT PGUSER PGDATABASE PGSSLMODE PGPASSWORD DATABASE_URL\n");
  auto fish = RunIn(nowhere, {"env", "--unset", "--format", "fish"});
  EXPECT_EQ(fish.exit_code, 0) << fish.output;
  EXPECT_NE(fish.output.find("set -e PGPASSWORD\n"), std::string::npos) << fish.output;
  EXPECT_NE(fish.output.find("set -e DATABASE_URL\n"), std::string::npos) << fish.output;
  auto dotenv = RunIn(nowhere, {"env", "--unset", "--format", "dotenv"});
  EXPECT_EQ(dotenv.exit_code, 2) << dotenv.output;
  EXPECT_EQ(RunIn(nowhere, {"env", "--format", "csh"}).exit_code, 2);
}

TEST(Env, EachFormatSetsEveryVariable) {
  const TestStack& s = TestStack::Shared();
  const pg::ConnParams& p = s.endpoints().pooled;
  auto fish = s.Pgstack({"env", "--format", "fish"});
  ASSERT_EQ(fish.exit_code, 0) << fish.output;
  EXPECT_NE(fish.output.find("set -gx PGPORT '" + Port(s) + "'\n"), std::string::npos)
      << fish.output;
  EXPECT_NE(fish.output.find("set -gx PGSSLMODE 'disable'\n"), std::string::npos) << fish.output;
  // dotenv: values verbatim, as docker run --env-file reads them.
  auto dotenv = s.Pgstack({"env", "--format", "dotenv"}, {}, Capture::kStdoutOnly);
  ASSERT_EQ(dotenv.exit_code, 0) << dotenv.output;
  for (const std::string& line :
       {"PGHOST=" + p.host, "PGPORT=" + Port(s), "PGUSER=" + p.user, "PGDATABASE=" + p.dbname,
        std::string("PGSSLMODE=disable"), "PGPASSWORD=" + p.password,
        "DATABASE_URL=" + pg::ToUrl(p, pg::Redact::kNo)}) {
    EXPECT_NE(dotenv.output.find(line + "\n"), std::string::npos) << line << "\n" << dotenv.output;
  }
  auto j = s.Pgstack({"env", "--format", "json"}, {}, Capture::kStdoutOnly);
  json doc = json::parse(j.output, nullptr, false);
  EXPECT_EQ(doc["PGPORT"], Port(s)) << j.output;
  EXPECT_EQ(doc["PGSSLMODE"], "disable") << j.output;
  EXPECT_EQ(doc.size(), 7u) << j.output;
}

TEST(Env, FindsTheProjectFromAFolderBelowItAsGitDoes) {
  const TestStack& s = TestStack::Shared();
  std::string project = TempDir("project");
  fs::create_directories(project + "/config");
  fs::copy_file(SourceDir() + "/config/database.json", project + "/config/database.json");
  fs::create_directory_symlink(s.state_dir(), project + "/.pgstack");
  std::string below = project + "/src/deeper";
  fs::create_directories(below);
  auto out = RunIn(below, {"--env", "test", "env"});
  EXPECT_EQ(out.exit_code, 0) << out.output;
  EXPECT_NE(out.output.find("export PGPORT='" + Port(s) + "'"), std::string::npos) << out.output;
}

TEST(Env, TakesTheConfigAndStateDirFromPgstackVariables) {
  const TestStack& s = TestStack::Shared();
  auto out = RunIn(TempDir("elsewhere"), {"--env", "test", "env"},
                   {{"PGSTACK_CONFIG", SourceDir() + "/config/database.json"},
                    {"PGSTACK_STATE_DIR", s.state_dir()}});
  EXPECT_EQ(out.exit_code, 0) << out.output;
  EXPECT_NE(out.output.find("export PGPORT='" + Port(s) + "'"), std::string::npos) << out.output;
  // A flag still wins over the variable.
  auto flag = RunIn(TempDir("elsewhere"), {"--env", "test", "--state-dir", "/nonexistent", "env"},
                    {{"PGSTACK_CONFIG", SourceDir() + "/config/database.json"},
                     {"PGSTACK_STATE_DIR", s.state_dir()}});
  EXPECT_NE(flag.exit_code, 0) << flag.output;
}

TEST(Env, UpsHintKeepsTheFlagsGiven) {
  const TestStack& s = TestStack::Shared();
  auto up = s.Pgstack({"up"});
  ASSERT_EQ(up.exit_code, 0) << up.output;
  std::string want = "eval \"$(pgstack --config '" + SourceDir() +
                     "/config/database.json' --env 'test' --state-dir '" + s.state_dir() +
                     "' env)\"";
  EXPECT_NE(up.output.find(want), std::string::npos) << want << "\n" << up.output;
}

}  // namespace
}  // namespace pgstack::testing
