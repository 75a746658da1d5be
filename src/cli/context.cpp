#include "context.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "env_format.h"
#include "pgstack/core/project_file.h"
#include "pgstack/location/environment.h"
#include "pgstack/location/stack_state.h"
#include "pgstack/location/state_paths.h"
#include "pgstack/pg/libpq_env.h"

namespace pgstack::cli {

void Reporter::Line(const std::string& text) const {
  if (g_.json || g_.quiet) return;
  std::cout << text << '\n';
}

void Reporter::Text(const std::string& text) const {
  Line(text.empty() || text.back() != '\n' ? text : text.substr(0, text.size() - 1));
}

core::TextStyle Reporter::Style() const {
  if (g_.json || g_.quiet) return {};
  return core::DetectTextStyle(STDOUT_FILENO, core::ProcessEnv());
}

void Reporter::Paragraph(const std::string& text) const {
  core::TextStyle style = Style();
  if (!style.width) return Line(text);
  for (const std::string& line : core::WrapLines(text + "\n", *style.width)) Line(line);
}

void Reporter::Detail(const std::string& text) const {
  if (g_.verbose) std::cerr << text << '\n';
}

void Reporter::Warn(const std::string& text) const {
  Progress("");
  std::cerr << "pgstack: warning: " << text << '\n';
}

void Reporter::Json(nlohmann::json doc) {
  if (!g_.json) return;
  text_.reset();
  if (!doc_.is_object() || !doc.is_object()) {
    doc_ = std::move(doc);
    return;
  }
  // As update() does, but moving each value: a large report (status over thousands of
  // migrations) is not copied again.
  for (auto it = doc.begin(); it != doc.end(); ++it) doc_[it.key()] = std::move(it.value());
}

void Reporter::JsonText(std::string text) {
  if (!g_.json) return;
  doc_ = nullptr;
  text_ = std::move(text);
}

void Reporter::Progress(const std::string& text) const {
  if (g_.quiet || !isatty(STDERR_FILENO)) return;
  std::cerr << "\r\033[K" << text << std::flush;
  if (text.empty()) std::cerr << "\r\033[K" << std::flush;
}

void Reporter::Notice(const std::string& text) const {
  Progress("");
  if (!g_.quiet) std::cerr << text << '\n';
}

int ExitCodeOf(const Status& s) {
  struct CauseExit {
    const core::Cause& cause;
    int exit_code;
  };
  static constexpr CauseExit kCauseExits[] = {{kStackStopped, 5}, {location::kNoStack, 6}};
  for (const CauseExit& c : kCauseExits) {
    if (s.Is(c.cause)) return c.exit_code;
  }
  return s.exit_code();
}

int Reporter::Fail(const Status& s) {
  Progress("");
  int exit_code = ExitCodeOf(s);
  Json({{"error", {{"message", s.message()}, {"exit_code", exit_code}}}});
  std::cerr << "pgstack: " << s.message() << '\n';
  return exit_code;
}

void Reporter::Finish() {
  if (!g_.json) return;
  if (text_) {
    std::cout << *text_ << '\n';
    text_.reset();
    return;
  }
  // Messages quote files and server text, which need not be UTF-8: replace such bytes rather
  // than throw from dump().
  // (Not `doc_.is_null() ? object() : doc_`: that conditional is a prvalue, a copy of the
  // whole document.)
  if (doc_.is_null()) doc_ = nlohmann::json::object();
  std::cout << doc_.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  doc_ = nullptr;
}

namespace {

constexpr GlobalFlag kGlobalFlags[] = {
    {"--config",
     "configuration file (default $PGSTACK_CONFIG, else config/database.json of the project: the "
     "working folder or the nearest one above it holding config/database.json or .pgstack)",
     &GlobalOptions::config, nullptr},
    {"--env", "environment in the config (default $PGSTACK_ENV or development)",
     &GlobalOptions::env, nullptr},
    {"--state-dir",
     "state directory of a local stack (default $PGSTACK_STATE_DIR, else the project's .pgstack)",
     &GlobalOptions::state_dir, nullptr},
    {"--json", "machine output: one JSON document on stdout", nullptr, &GlobalOptions::json},
    {"--quiet", "print nothing but errors", nullptr, &GlobalOptions::quiet},
    {"--verbose", "explain each step on stderr", nullptr, &GlobalOptions::verbose},
};

}  // namespace

const GlobalFlag* FindGlobalFlag(std::string_view arg) {
  for (const GlobalFlag& f : kGlobalFlags) {
    if (arg == f.name) return &f;
  }
  return nullptr;
}

void AddGlobalFlags(CLI::App& app, GlobalOptions& options) {
  for (const GlobalFlag& f : kGlobalFlags) {
    if (f.is_set) {
      app.add_flag(f.name, options.*f.is_set, f.help);
    } else if ((options.*f.value).empty()) {
      app.add_option(f.name, options.*f.value, f.help);
    } else {
      app.add_option(f.name, options.*f.value, f.help)->capture_default_str();
    }
  }
}

void Context::ResolveProject() {
  given = global;
  auto from_env = [](const char* name) -> std::string {
    const char* v = std::getenv(name);
    return v ? v : "";
  };
  if (global.config.empty()) global.config = from_env("PGSTACK_CONFIG");
  if (global.state_dir.empty()) global.state_dir = from_env("PGSTACK_STATE_DIR");
  // Relative to the working folder when that is the root, so that messages stay as short as
  // the paths the user sees; absolute from a folder below it.
  std::optional<std::string> found = core::FindProjectRoot();
  std::error_code ec;
  if (found && !std::filesystem::equivalent(*found, std::filesystem::current_path(ec), ec)) {
    project_root = *found;
  }
  std::filesystem::path root = project_root;
  // Outside any project, an installed pgstack reads the configuration installed with it.
  std::optional<std::string> installed =
      found ? std::nullopt : core::InstalledFile("config/database.json");
  if (global.config.empty()) {
    global.config = installed ? *installed : (root / "config" / "database.json").string();
  }
  if (global.state_dir.empty()) global.state_dir = (root / ".pgstack").string();
}

std::string Context::InProject(const std::string& relative) const {
  return project_root.empty() ? relative
                              : (std::filesystem::path(project_root) / relative).string();
}

std::string Context::CommandLine(const std::string& command) const {
  std::string out = "pgstack";
  for (const auto& [flag, value] :
       {std::pair{"--config", &given.config}, std::pair{"--env", &given.env},
        std::pair{"--state-dir", &given.state_dir}}) {
    if (!value->empty()) out += fmt::format(" {} {}", flag, ShellQuote(*value));
  }
  return out + " " + command;
}

std::string Context::NamedEnv() const {
  if (!global.env.empty()) return global.env;
  if (const char* e = std::getenv("PGSTACK_ENV"); e && *e) return e;
  return "";
}

std::string Context::StackEnv() const {
  std::error_code ec;
  if (global.state_dir.empty() ||
      !std::filesystem::exists(location::StatePaths(global.state_dir).state_file, ec))
    return "";
  auto st = location::LoadState(global.state_dir);
  return st.ok() ? st->environment : "";  // a damaged state.json: the command says so
}

std::string Context::EnvName() const {
  if (std::string named = NamedEnv(); !named.empty()) return named;
  if (std::string made = StackEnv(); !made.empty()) return made;
  return "development";
}

Status Context::CheckEnvName() const {
  if (NamedEnv().empty()) return Status::Ok();
  std::error_code ec;
  if (!std::filesystem::exists(global.config, ec)) return Status::Ok();
  return core::LoadEnvironment(global.config, EnvName()).status();
}

namespace {

// Outside any project, with no --config, $PGSTACK_CONFIG or installed config: where it looked
// and what to do, instead of "cannot read the config file".
Status CheckConfigFound(const Context& ctx) {
  std::error_code ec;
  const char* from_env = std::getenv("PGSTACK_CONFIG");
  bool searched = ctx.given.config.empty() && !(from_env && *from_env);
  if (!searched || std::filesystem::exists(ctx.global.config, ec)) return Status::Ok();
  std::string installed = core::InstallPath("config/database.json");
  return Status::InvalidInput(fmt::format(
      "no config: no config/database.json in {} or a folder above it{}; run pgstack in the "
      "project's folder, or give --config FILE or PGSTACK_CONFIG=FILE",
      std::filesystem::current_path(ec).string(),
      installed.empty() ? "" : ", and none installed at " + installed));
}

}  // namespace

Result<core::Environment> Context::LoadEnv() const {
  PGSTACK_RETURN_IF_ERROR(CheckConfigFound(*this));
  auto env = location::LoadEnvironment(global.config, EnvName(), core::ProcessEnv());
  if (env.ok() && env->mode == core::Mode::kLocal) {
    std::string made = StackEnv();
    if (!made.empty() && made != env->name) {
      return Status::InvalidInput(fmt::format(
          "{} holds the stack of environment '{}', not '{}' (--env or PGSTACK_ENV): leave both "
          "out to use the stack's, or name another --state-dir",
          global.state_dir, made, env->name));
    }
  }
  // A local stack's endpoints and credentials come from its state alone (the overrides above read
  // none of libpq's variables there); what libpq would read besides goes too. External mode keeps
  // them: there they are how the user reaches the server (PGSSLROOTCERT, PGSERVICE, ...).
  if (env.ok() && env->mode == core::Mode::kLocal) pg::ClearLibpqEnvironment();
  return env;
}

}  // namespace pgstack::cli
