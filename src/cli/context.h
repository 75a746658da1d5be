// What every subcommand gets: the global flags, the output reporter, and helpers to load the
// selected environment. Subcommands are thin: parse flags, call the library, report.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "pgstack/core/config.h"
#include "pgstack/core/status.h"

namespace pgstack::cli {

struct GlobalOptions {
  std::string config = "config/database.json";
  std::string env;  // empty: $PGSTACK_ENV or "development"
  std::string state_dir = ".pgstack";
  bool json = false;
  bool quiet = false;
  bool verbose = false;
};

// Human text to stdout (unless --quiet or --json), one JSON document with --json, errors and
// progress to stderr. The library never prints; this is the only writer of stdout.
class Reporter {
 public:
  explicit Reporter(const GlobalOptions& g) : g_(g) {}
  bool json() const { return g_.json; }
  bool verbose() const { return g_.verbose; }
  // A line of human output.
  void Line(const std::string& text) const;
  // A line for --verbose only (stderr).
  void Detail(const std::string& text) const;
  // The JSON document (only with --json).
  void Json(const nlohmann::json& doc) const;
  // A progress line on stderr, only when stderr is a terminal; overwritten by the next.
  void Progress(const std::string& text) const;
  // Reports a failure on stderr (and as {"error": ...} with --json); returns its exit code.
  int Fail(const Status& s) const;

 private:
  const GlobalOptions& g_;
};

struct Context {
  GlobalOptions global;
  Reporter out{global};

  std::string EnvName() const;
  // The selected environment of the config file, overrides applied.
  Result<core::Environment> LoadEnv() const;
};

// A subcommand: registers its flags on `sub` and returns what to run once parsing succeeded.
using RunFn = std::function<int()>;
using RegisterFn = RunFn (*)(CLI::App& sub, Context& ctx);

struct CommandSpec {
  const char* name;
  const char* help;
  RegisterFn add;
};

}  // namespace pgstack::cli
