// What every subcommand gets: the global flags, the output reporter, and helpers to load the
// selected environment. Subcommands are thin: parse flags, call the library, report.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "pgstack/core/config.h"
#include "pgstack/core/status.h"
#include "pgstack/core/terminal.h"

namespace pgstack::cli {

// The stack is there but not (all of it) running: `pgstack status` exits 5 for it.
inline constexpr core::Cause kStackStopped{"stack stopped"};
// The exit status of a failure: its code's, or the one its cause has (README: `pgstack status`
// exits 5 for a stopped stack and 6 for none).
int ExitCodeOf(const Status& s);

struct GlobalOptions {
  std::string config;     // empty until Context::ResolveProject() (see there)
  std::string env;        // empty: $PGSTACK_ENV or "development"
  std::string state_dir;  // empty until Context::ResolveProject()
  bool json = false;
  bool quiet = false;
  bool verbose = false;
};

// A flag every command accepts (before or after the subcommand). Its name is spelled here only:
// main registers these and skips them (and their values) when it looks for the command's name.
struct GlobalFlag {
  const char* name;
  const char* help;
  std::string GlobalOptions::*value;  // a flag with a value, or
  bool GlobalOptions::*is_set;        // a switch
};
// The global flag named `arg` exactly, or nullptr.
const GlobalFlag* FindGlobalFlag(std::string_view arg);
void AddGlobalFlags(CLI::App& app, GlobalOptions& options);

// Human text to stdout (unless --quiet or --json), one JSON document with --json, errors and
// progress to stderr. The library never prints; this is the only writer of stdout.
class Reporter {
 public:
  explicit Reporter(const GlobalOptions& g) : g_(g) {}
  bool json() const { return g_.json; }
  bool verbose() const { return g_.verbose; }
  // A line of human output.
  void Line(const std::string& text) const;
  // Whole lines of human output, as Line prints each (the last line break is optional).
  void Text(const std::string& text) const;
  // How human output on stdout fits it: the terminal's width and colour (core::TextStyle);
  // plain whole lines when stdout is not a terminal, and under --json.
  core::TextStyle Style() const;
  // A paragraph, wrapped at word boundaries to the terminal's width.
  void Paragraph(const std::string& text) const;
  // A line for --verbose only (stderr).
  void Detail(const std::string& text) const;
  // "pgstack: warning: text" on stderr, whatever the flags: something the user must know.
  void Warn(const std::string& text) const;
  // The JSON document (only with --json). Kept until Finish(), so that a command that reports
  // and then fails (a plan that would be refused, a validation with problems) still prints one
  // document; a second call adds its keys to the first. Taken by value: pass a large document
  // with std::move.
  void Json(nlohmann::json doc);
  // The whole document as text already (a report too large to build as values first, see
  // migrate/status_json.h), printed as it is. A Json() or Fail() after it replaces it.
  void JsonText(std::string text);
  // A progress line on stderr, only when stderr is a terminal; overwritten by the next.
  void Progress(const std::string& text) const;
  // A line on stderr the user must read now, even with --json or without a terminal (a wait
  // that would otherwise look like a hang); not with --quiet.
  void Notice(const std::string& text) const;
  // Reports a failure on stderr and, with --json, as "error": {"message", "exit_code"} in the
  // document; returns its exit code.
  int Fail(const Status& s);
  // With --json, prints the document: exactly one per run, whichever way the command ended ({}
  // when it reported nothing). main calls it once, last.
  void Finish();

 private:
  const GlobalOptions& g_;
  nlohmann::json doc_;               // null until Json() or Fail()
  std::optional<std::string> text_;  // JsonText()'s, when it came last
};

struct Context {
  GlobalOptions global;
  Reporter out{global};
  GlobalOptions given;  // the global flags as the command line gave them (ResolveProject)
  // Where the project's files are, relative to the working folder: "" when it is the working
  // folder (or no project was found), else the root's absolute path (ResolveProject).
  std::string project_root;

  // Fills in --config and --state-dir where the command line gave none: $PGSTACK_CONFIG and
  // $PGSTACK_STATE_DIR, else config/database.json and .pgstack of the project's root, found as
  // git finds a repository (core::FindProjectRoot), else of the working folder. main calls it
  // once the command line is parsed.
  void ResolveProject();
  // A project file's default path (database/migrations): under the project's root, so that a
  // default means the same from any folder of the project. A path the user typed is not passed
  // here: it is relative to the working folder, as usual.
  std::string InProject(const std::string& relative) const;
  // The shell command that runs `pgstack <command>` on the same stack from anywhere: with the
  // --config, --env and --state-dir the command line gave, each quoted for the shell.
  std::string CommandLine(const std::string& command) const;

  // The environment named on purpose: --env, else $PGSTACK_ENV; "" when neither is given.
  std::string NamedEnv() const;
  // The environment the stack in the state dir was made with (its state.json); "" without one.
  std::string StackEnv() const;
  // The environment a command uses: the named one, else the stack's, else development.
  std::string EnvName() const;
  // An environment named on purpose (--env or $PGSTACK_ENV) that the config file does not
  // have is an error for every command that reads one, even those that need nothing of it (down,
  // status): otherwise `--env staging` with a typo acts on the default's stack unnoticed. The
  // default (development) and a config file that does not exist are not checked here.
  Status CheckEnvName() const;
  // The selected environment of the config file, overrides applied. For a local stack, also
  // clears libpq's variables from the process (pg::ClearLibpqEnvironment). kInvalidInput naming
  // both when a local environment named on purpose is not the one the state dir's stack was
  // made with; outside any project, with no --config, $PGSTACK_CONFIG or installed config,
  // kInvalidInput says where it looked and what to do.
  Result<core::Environment> LoadEnv() const;
};

// A subcommand: registers its flags on `sub` and returns what to run once parsing succeeded.
using RunFn = std::function<int()>;
using RegisterFn = RunFn (*)(CLI::App& sub, Context& ctx);

// Whether a command reads the selected environment of the config file (or the stack it
// describes). main refuses a --env the config file lacks before running one that does, so that a
// typo cannot act on the default's stack; cache, help, completion and man read none.
enum class ReadsEnv { kYes, kNo };

struct CommandSpec {
  const char* name;
  const char* help;
  ReadsEnv env;
  RegisterFn add;
};

}  // namespace pgstack::cli
