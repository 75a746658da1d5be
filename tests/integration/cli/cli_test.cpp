// The command line as a user meets it: typos, help, --version, completion scripts and the man
// page, all from the one command table. No stack is needed.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "fixture.h"
#include "pgstack/core/files.h"

namespace pgstack::testing {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(CliTypos, NameTheTypoAndSuggestAtEveryLevel) {
  struct Case {
    std::vector<std::string> args;
    std::string said;
  };
  for (const Case& c : std::vector<Case>{
           {{"upp"}, "unknown command 'upp' (did you mean 'up'?)"},
           {{"migrate", "stauts"}, "unknown migrate action 'stauts' (did you mean 'status'?)"},
           {{"--state-dir", "x", "migrate", "--dir", "d", "stauts"}, "did you mean 'status'?"},
           {{"bench", "pol"}, "unknown bench action 'pol' (did you mean 'pool'?)"},
           {{"migrate", "rollback"}, "unknown migrate action 'rollback' (one of: new, up, down"},
           {{"migrate"}, "pgstack migrate needs an action: new, up, down"},
           {{}, "pgstack needs a command: up, down"},
       }) {
    auto out = RunPgstack(c.args);
    EXPECT_EQ(out.exit_code, 2) << out.output;
    EXPECT_TRUE(Contains(out.output, c.said)) << out.output;
    EXPECT_FALSE(Contains(out.output, "A subcommand is required")) << out.output;
  }
}

// A command line refused before anything is read or connected to (there is no stack or config
// here, so any later step would fail differently): exit 2, one line that says `said`.
struct Refusal {
  std::vector<std::string> args;
  std::string said;
};
void ExpectRefused(const std::vector<Refusal>& cases) {
  std::string none = ::testing::TempDir() + "no-such-project";
  for (const Refusal& c : cases) {
    std::vector<std::string> args = {"--config", none + "/database.json", "--state-dir", none};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto out = RunPgstack(args);
    EXPECT_EQ(out.exit_code, 2) << out.output;
    EXPECT_TRUE(Contains(out.output, c.said)) << c.said << "\n" << out.output;
    EXPECT_EQ(std::count(out.output.begin(), out.output.end(), '\n'), 1) << out.output;
  }
}

// A mistyped flag is named with the nearest one that works there (its command's or a global
// one), whatever follows it; a mistyped value of a flag with a list of values is named with the
// nearest value.
TEST(CliTypos, SuggestTheNearestFlagAndValue) {
  ExpectRefused({
      {{"migrate", "up", "--dri", "dbm"},
       "unknown flag '--dri' for pgstack migrate up (did you mean '--dir'?)"},
      {{"--jsn", "status"}, "unknown flag '--jsn' for pgstack (did you mean '--json'?)"},
      {{"status", "--jsn"}, "unknown flag '--jsn' for pgstack status (did you mean '--json'?)"},
      {{"verify", "--chek", "jsonb"}, "(did you mean '--check'?)"},
      {{"migrate", "lint", "a.sql", "--fail-onn", "error"}, "(did you mean '--fail-on'?)"},
      {{"env", "--format", "dotnv"}, "--format dotnv: unknown (did you mean 'dotenv'?"},
      {{"migrate", "status", "--format", "dbmat"}, "(did you mean 'dbmate'?"},
      {{"migrate", "adopt", "--from", "dbmat"}, "--from dbmat: unknown (did you mean 'dbmate'?"},
      {{"migrate", "lint", "--fail-on", "warnin"}, "(did you mean 'warning'?"},
  });
}

// Flags that contradict each other are both named, before anything runs.
TEST(CliConflicts, BothFlagsAreNamedAndNothingRuns) {
  ExpectRefused({
      {{"migrate", "down", "2", "--to", "10"}, "give a count or --to, not both"},
      {{"migrate", "down", "--to", "10", "2"}, "(got 2 and --to 10)"},
      {{"migrate", "status", "--pooled", "--direct"}, "give --pooled or --direct, not both"},
      {{"migrate", "down", "0"}, "down 0: the count is 1 or more"},
      {{"migrate", "lint", "--all", "a.sql"}, "give files or --all, not both"},
      {{"testdb", "get", "--hash", "h", "--dir", "d"}, "give --hash or --dir, not both"},
  });
}

// `--env staging` with a typo must not act on the default environment's stack, whether or not
// the command needs anything of the environment.
TEST(CliEnv, AnUnknownEnvironmentIsAnErrorForEveryCommand) {
  std::string config = SourceDir() + "/config/database.json";
  std::string none = ::testing::TempDir() + "no-stack-here";
  for (std::vector<std::string> cmd : {std::vector<std::string>{"status"},
                                       {"env"},
                                       {"migrate", "status"},
                                       {"verify"},
                                       {"down"},
                                       {"destroy", "--yes"}}) {
    std::vector<std::string> args = {"--config", config, "--state-dir", none, "--env", "stagin"};
    args.insert(args.end(), cmd.begin(), cmd.end());
    auto out = RunPgstack(args);
    EXPECT_EQ(out.exit_code, 2) << cmd[0] << ": " << out.output;
    EXPECT_TRUE(Contains(out.output, "no environment 'stagin' (it has: ")) << out.output;
    EXPECT_TRUE(Contains(out.output, "development")) << out.output;
  }
  auto from_var =
      RunPgstack({"--config", config, "--state-dir", none, "status"}, {{"PGSTACK_ENV", "stagin"}});
  EXPECT_EQ(from_var.exit_code, 2) << from_var.output;
}

// A script asks `status` whether the stack runs: no stack is its own exit code (6; a stopped one
// is 5, tested in it_stack), and the document holds no empty strings for what is not known.
TEST(CliStatus, NoStackExitsSixWithOneDocument) {
  std::string none = ::testing::TempDir() + "no-stack-here";
  auto human = RunPgstack({"--state-dir", none, "status"});
  EXPECT_EQ(human.exit_code, 6) << "README: exit 6, no stack: " << human.output;
  EXPECT_TRUE(Contains(human.output, "no stack in " + none)) << human.output;
  auto out = RunPgstack({"--json", "--state-dir", none, "status"}, {}, Capture::kStdoutOnly);
  EXPECT_EQ(out.exit_code, 6);
  auto doc = nlohmann::json::parse(out.output, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << out.output;
  EXPECT_EQ(doc["exists"], false);
  EXPECT_EQ(doc["postgres"]["running"], false);
  EXPECT_FALSE(Contains(out.output, "\"\"")) << out.output;
  EXPECT_EQ(doc["error"]["exit_code"], 6);
  auto help = RunPgstack({"status", "--help"}, {}, Capture::kStdoutOnly);
  EXPECT_TRUE(Contains(help.output, "6 there is no stack")) << help.output;
}

// Every command on a stack says the same one line when there is none, and creates nothing.
TEST(CliStatus, EveryCommandSaysNoStackTheSameWay) {
  std::string none = ::testing::TempDir() + "no-stack-for-anyone";
  std::string said = "no stack in " + none + " (";
  for (std::vector<std::string> cmd :
       std::vector<std::vector<std::string>>{{"down"},
                                             {"destroy", "--yes"},
                                             {"status"},
                                             {"verify"},
                                             {"env"},
                                             {"migrate", "status"}}) {
    std::vector<std::string> args = {"--env", "test", "--state-dir", none};
    args.insert(args.end(), cmd.begin(), cmd.end());
    auto out = RunPgstack(args);
    SCOPED_TRACE(cmd[0]);
    EXPECT_EQ(out.exit_code, 6) << "README: exit 6, no stack: " << out.output;
    size_t at = out.output.find(said);
    EXPECT_NE(at, std::string::npos) << out.output;
    EXPECT_EQ(out.output.find(said, at + 1), std::string::npos) << "said once: " << out.output;
    EXPECT_FALSE(std::filesystem::exists(none));
  }
}

TEST(CliJson, AnArgumentErrorIsOneJsonDocument) {
  auto out = RunPgstack({"--json", "up", "--pg-port", "99999"}, {}, Capture::kStdoutOnly);
  EXPECT_EQ(out.exit_code, 2);
  auto doc = nlohmann::json::parse(out.output, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << out.output;
  EXPECT_TRUE(Contains(doc["error"]["message"].get<std::string>(), "--pg-port")) << out.output;
}

// Refusals of every command, under --json: stdout is exactly one document (parse() fails on
// anything after it) with the error in it, and nothing else.
TEST(CliJson, EveryRefusalIsExactlyOneDocument) {
  std::string none = ::testing::TempDir() + "no-stack-here";
  std::string config = SourceDir() + "/config/database.json";
  for (std::vector<std::string> cmd : {std::vector<std::string>{"up", "--pg-port", "99999"},
                                       {"up", "--dry-run"},
                                       {"down"},
                                       {"status"},
                                       {"destroy"},
                                       {"env", "--format", "csh"},
                                       {"verify", "--check", "no_such_check"},
                                       {"migrate", "down", "2", "--to", "1"},
                                       {"migrate", "new"},
                                       {"migrate", "lint", "--fail-on", "never"},
                                       {"bench", "pool", "--workload", "nope"},
                                       {"bench", "jsonb", "--rows", "-1"},
                                       {"cache", "nope"},
                                       {"testdb", "get", "--hash", "h", "--dir", "d"},
                                       {"help", "nope"},
                                       {"completion", "csh"},
                                       {"--env", "nope", "status"}}) {
    std::vector<std::string> args = {"--json", "--config", config, "--state-dir", none};
    args.insert(args.end(), cmd.begin(), cmd.end());
    auto out = RunPgstack(args, {}, Capture::kStdoutOnly);
    EXPECT_NE(out.exit_code, 0) << cmd[0] << ": " << out.output;
    auto doc = nlohmann::json::parse(out.output, nullptr, false);
    ASSERT_FALSE(doc.is_discarded()) << cmd[0] << " " << cmd.back() << ": " << out.output;
    EXPECT_TRUE(doc["error"]["message"].is_string()) << out.output;
    EXPECT_EQ(doc["error"]["exit_code"], out.exit_code) << out.output;
  }
}

// A message that quotes bytes that are not UTF-8 (a path, server text) is still printed as one
// document, those bytes replaced by U+FFFD: JSON cannot carry them, and the reporter must not
// throw over them (nlohmann's dump() does unless told to replace).
TEST(CliJson, BytesThatAreNotUtf8AreReplacedInTheDocument) {
  std::string dir = ::testing::TempDir() + "no-such-\xff-dir";
  auto out = RunPgstack({"--json", "--state-dir", ::testing::TempDir() + "no-stack-here", "migrate",
                         "lint", "--dir", dir},
                        {}, Capture::kStdoutOnly);
  EXPECT_EQ(out.exit_code, 2) << out.output;
  auto doc = nlohmann::json::parse(out.output, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << out.output;
  EXPECT_TRUE(Contains(doc["error"]["message"].get<std::string>(), "no-such-\xEF\xBF\xBD-dir"))
      << out.output;
}

TEST(CliHelp, ShowsEveryFlagThatWorksAndNoParserNoise) {
  auto out = RunPgstack({"migrate", "up", "--help"}, {}, Capture::kStdoutOnly);
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_TRUE(Contains(out.output, "Usage: pgstack migrate up")) << out.output;
  for (const char* flag : {"--to", "--dir", "--pooled", "--state-dir", "--json"})
    EXPECT_TRUE(Contains(out.output, flag)) << flag << "\n" << out.output;
  auto up = RunPgstack({"up", "--help"}, {}, Capture::kStdoutOnly);
  EXPECT_FALSE(Contains(up.output, "INT:INT")) << up.output;
  EXPECT_TRUE(Contains(up.output, "[0-65535]")) << up.output;  // the range, stated up front
  // `help` prints the same text as --help.
  auto help = RunPgstack({"help", "migrate", "up"}, {}, Capture::kStdoutOnly);
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_EQ(help.output, out.output);
  auto typo = RunPgstack({"help", "migrat"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_TRUE(Contains(typo.output, "did you mean 'migrate'?")) << typo.output;
}

TEST(CliVersion, UnderJsonIsOneDocument) {
  for (auto args : {std::vector<std::string>{"--json", "--version"}, {"--version", "--json"}}) {
    auto out = RunPgstack(args, {}, Capture::kStdoutOnly);
    EXPECT_EQ(out.exit_code, 0) << out.output;
    auto doc = nlohmann::json::parse(out.output, nullptr, false);
    ASSERT_FALSE(doc.is_discarded()) << out.output;
    EXPECT_TRUE(Contains(doc["version"].get<std::string>(), "0.")) << out.output;
    EXPECT_TRUE(doc["revision"].is_string()) << out.output;
    EXPECT_TRUE(Contains(doc["postgres"]["version"].get<std::string>(), "17.")) << out.output;
  }
}

// Help fits the width asked for ($COLUMNS, 80 in a pipe), every word of it still there.
TEST(CliHelp, FitsTheWidth) {
  for (auto args :
       {std::vector<std::string>{"migrate", "up", "--help"}, {"env", "--help"}, {"--help"}}) {
    auto narrow = RunPgstack(args, {{"COLUMNS", "60"}}, Capture::kStdoutOnly);
    EXPECT_EQ(narrow.exit_code, 0);
    std::istringstream lines(narrow.output);
    for (std::string line; std::getline(lines, line);) EXPECT_LE(line.size(), 60u) << line;
    auto piped = RunPgstack(args, {}, Capture::kStdoutOnly);
    std::istringstream wide(piped.output);
    for (std::string line; std::getline(wide, line);) EXPECT_LE(line.size(), 80u) << line;
  }
  auto narrow = RunPgstack({"env", "--help"}, {{"COLUMNS", "60"}}, Capture::kStdoutOnly);
  EXPECT_TRUE(Contains(narrow.output, "DATABUS_URL") || Contains(narrow.output, "DATABASE_URL"));
}

TEST(CliVersion, NamesTheRevisionAndThePostgresFound) {
  auto out = RunPgstack({"--version"}, {}, Capture::kStdoutOnly);
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_TRUE(Contains(out.output, "pgstack 0.")) << out.output;
  EXPECT_TRUE(Contains(out.output, "(git ")) << out.output;
  EXPECT_TRUE(Contains(out.output, "PostgreSQL 17.")) << out.output;
}

// The scripts a shell would source, written to a file; "" when the shell is not installed.
std::string Script(const std::string& shell) {
  auto out = RunPgstack({"completion", shell}, {}, Capture::kStdoutOnly);
  EXPECT_EQ(out.exit_code, 0) << out.output;
  std::string path = ::testing::TempDir() + "pgstack-completion." + shell;
  EXPECT_TRUE(core::WriteFileAtomic(path, out.output, 0644).ok());
  return path;
}

// Runs a program found on PATH, returning its output.
core::CommandOutput Shell(std::vector<std::string> argv) {
  argv.insert(argv.begin(), "/usr/bin/env");
  auto out = core::SystemProcessRunner().Run(core::Command{.argv = argv, .timeout_s = 30});
  EXPECT_TRUE(out.ok()) << out.status().message();
  return out.ok() ? *out : core::CommandOutput{};
}

bool Installed(const std::string& program) {
  return Shell({"sh", "-c", "command -v " + program}).exit_code == 0;
}

TEST(CliCompletion, BashCompletesActionsAndTheFlagsThatWorkThere) {
  std::string script = Script("bash");
  auto words = [&](const std::string& line) {
    return Shell({"bash", "-c",
                  "source " + script + "; COMP_WORDS=(" + line +
                      "); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _pgstack; echo "
                      "\"${COMPREPLY[*]}\""})
        .output;
  };
  EXPECT_EQ(words("pgstack migrate u"), "up\n");
  EXPECT_EQ(words("pgstack --state-dir x migrate up --d"), "--dir --direct\n");
  EXPECT_EQ(words("pgstack te"), "testdb\n");
  EXPECT_EQ(words("pgstack bench pool --cl"), "--clients\n");
  // A flag's values, not file names.
  EXPECT_EQ(words("pgstack env --format d"), "dotenv\n");
  EXPECT_EQ(words("pgstack migrate up --format db"), "dbmate\n");
  EXPECT_EQ(words("pgstack migrate adopt --from fl"), "flyway\n");
  EXPECT_EQ(words("pgstack verify --check jsonb.s"), "jsonb.script\n");
  EXPECT_EQ(words("pgstack migrate lint --fail-on w"), "warning\n");
  // --env's values are the config's environments, asked of pgstack itself.
  std::string dir = TempDir("completion-env");
  ASSERT_TRUE(core::WriteFileAtomic(
                  dir + "/c.json",
                  R"({"environments": {"development": {}, "staging": {}, "test": {}}})", 0644)
                  .ok());
  EXPECT_EQ(words(PgstackBinary() + " --config " + dir + "/c.json --env st"), "staging\n");
  EXPECT_EQ(words(PgstackBinary() + " --config " + dir + "/c.json status --env ''"),
            "development staging test\n");
}

TEST(CliCompletion, FishCompletesWithDescriptions) {
  if (!Installed("fish")) GTEST_SKIP() << "fish is not installed";
  std::string script = Script("fish");
  auto out =
      Shell({"fish", "-c",
             "function pgstack; end; source " + script + "; complete -C 'pgstack migrate u'"});
  EXPECT_EQ(out.output, "up\tapply pending migrations in order\n");
}

TEST(CliCompletion, ZshScriptParsesAndListsEveryCommand) {
  if (!Installed("zsh")) GTEST_SKIP() << "zsh is not installed";
  std::string script = Script("zsh");
  EXPECT_EQ(Shell({"zsh", "-n", script}).exit_code, 0);
  std::string text = ReadText(script);
  for (const char* name : {"'up:", "'migrate:", "'testdb:", "'--dir:", "'/migrate/up'"})
    EXPECT_TRUE(Contains(text, name)) << name;
}

// Outside any project, a command that reads the config says where it looked and what to do.
TEST(CliProject, OutsideAProjectTheErrorSaysWhereItLookedAndWhatToDo) {
  std::string dir = TempDir("outside-any-project");
  auto out = Shell({"sh", "-c", "cd '" + dir + "' && '" + PgstackBinary() + "' verify"});
  EXPECT_EQ(out.exit_code, 2) << out.output;
  for (const std::string& part : {"no config/database.json in " + dir, std::string("--config"),
                                  std::string("PGSTACK_CONFIG"), std::string("installed at ")})
    EXPECT_TRUE(Contains(out.output, part)) << part << "\n" << out.output;
  EXPECT_EQ(std::count(out.output.begin(), out.output.end(), '\n'), 1) << out.output;
}

// From a subfolder of the project, the default --dir and the config's paths are the project
// root's; a --dir typed on the command line is the working folder's.
TEST(CliProject, DefaultsAndConfigPathsAreTheProjectRootsFromASubfolder) {
  std::string root = TempDir("project-root");
  WriteText(root + "/.pgstack/.keep", "");
  WriteText(root + "/database/migrations/0001_b.sql",
            "-- pgstack:up\nALTER TABLE b ADD COLUMN c bigint NOT NULL;\nDROP TABLE old;\n");
  WriteText(root + "/src/deep/.keep", "");
  auto lint = [&] {
    auto out = Shell({"sh", "-c",
                      "cd '" + root + "/src/deep' && '" + PgstackBinary() +
                          "' --json --state-dir '" + root + "/none' migrate lint --all"});
    auto doc = nlohmann::json::parse(out.output, nullptr, false);
    std::string rules;
    if (doc.is_object() && doc["findings"].is_array()) {
      for (const auto& f : doc["findings"]) rules += f["rule"].get<std::string>() + " ";
    }
    return std::pair{out, rules};
  };
  auto [out, rules] = lint();
  EXPECT_EQ(out.exit_code, 3) << out.output;
  EXPECT_EQ(rules, "adding-required-field dropping-table ") << out.output;
  EXPECT_TRUE(Contains(out.output, root + "/database/migrations/0001_b.sql")) << out.output;

  auto config = nlohmann::json::parse(ReadText(SourceDir() + "/config/database.json"));
  config["defaults"]["migrate"]["lint_disable"]["database/migrations"] = {"adding-required-field"};
  WriteText(root + "/config/database.json", config.dump());
  auto [silenced, left] = lint();
  EXPECT_EQ(left, "dropping-table ") << silenced.output;

  auto typed = Shell({"sh", "-c",
                      "cd '" + root + "/src/deep' && '" + PgstackBinary() + "' --state-dir '" +
                          root + "/none' migrate lint --all --dir database/migrations"});
  EXPECT_EQ(typed.exit_code, 2) << typed.output;
  EXPECT_TRUE(Contains(typed.output, "database/migrations")) << typed.output;
}

TEST(CliMan, ThePageRendersAndListsEveryAction) {
  auto out = RunPgstack({"man"}, {}, Capture::kStdoutOnly);
  EXPECT_EQ(out.exit_code, 0);
  for (const char* part : {".TH PGSTACK 1", ".SS pgstack migrate up", ".SS pgstack testdb serve",
                           "\\fB\\-\\-dir\\fR", ".SH EXIT STATUS"})
    EXPECT_TRUE(Contains(out.output, part)) << part;
  if (!Installed("groff")) GTEST_SKIP() << "groff is not installed";
  std::string page = ::testing::TempDir() + "pgstack.1";
  ASSERT_TRUE(core::WriteFileAtomic(page, out.output, 0644).ok());
  auto check = Shell({"sh", "-c", "groff -man -ww -z " + page + " 2>&1"});
  EXPECT_EQ(check.output, "") << "groff warns about the page";
}

}  // namespace
}  // namespace pgstack::testing
