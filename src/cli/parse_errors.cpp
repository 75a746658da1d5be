#include "parse_errors.h"

#include <algorithm>
#include <cctype>

#include "command_tree.h"
#include "pgstack/core/nearest.h"

namespace pgstack::cli {
namespace {

// The flag `arg` names on `app` or a command above it (flags fall through), or nullptr.
const CLI::Option* FindFlag(const CLI::App& app, const std::string& arg) {
  std::string name = arg.substr(0, arg.find('='));
  for (const CLI::App* a = &app; a != nullptr; a = a->get_parent()) {
    for (const CLI::Option* o : a->get_options()) {
      if (o->check_name(name)) return o;
    }
  }
  return nullptr;
}

// Every spelling of the flags that work at `app`: its own and those of the commands above it.
std::vector<std::string> FlagNames(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* a = &app; a != nullptr; a = a->get_parent()) {
    for (const CLI::Option* o : a->get_options()) {
      for (const std::string& l : o->get_lnames()) names.push_back("--" + l);
      for (const std::string& s : o->get_snames()) names.push_back("-" + s);
    }
  }
  return names;
}

// "-x", "--xyz" or "--xyz=v"; not "-" (stdin), "--" (end of flags) or "-1" (a number).
bool LooksLikeFlag(const std::string& arg) {
  return arg.size() > 1 && arg[0] == '-' && arg != "--" && !std::isdigit(arg[1]);
}

std::string UnknownFlag(const CLI::App& at, const std::string& arg) {
  std::string name = arg.substr(0, arg.find('='));
  std::string hint = core::DidYouMean(name, FlagNames(at));
  return "unknown flag '" + name + "' for " + CommandPath(at) +
         (hint.empty() ? " (see " + CommandPath(at) + " --help)" : hint);
}

}  // namespace

std::string ExplainParseError(const CLI::App& root, int argc, const char* const* argv,
                              const std::string& cli11_message) {
  const CLI::App* at = &root;
  bool own_arguments = false;  // past the command's name: its arguments, no more commands
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--") break;
    if (LooksLikeFlag(arg)) {
      const CLI::Option* flag = FindFlag(*at, arg);
      if (!flag) return UnknownFlag(*at, arg);
      if (TakesValue(*flag) && arg.find('=') == std::string::npos) ++i;
      continue;
    }
    std::vector<std::string> names = SubcommandNames(*at);
    if (own_arguments || names.empty()) {
      own_arguments = true;
      continue;
    }
    if (std::find(names.begin(), names.end(), arg) != names.end()) {
      at = at->get_subcommand(arg);
      continue;
    }
    std::string msg = at == &root ? "unknown command '" + arg + "'"
                                  : "unknown " + at->get_name() + " action '" + arg + "'";
    std::string hint = core::DidYouMean(arg, names);
    return msg + (hint.empty() ? " (one of: " + core::JoinNames(names) + ")" : hint);
  }
  if (at->get_require_subcommand_min() > 0) {
    return CommandPath(*at) + (at == &root ? " needs a command: " : " needs an action: ") +
           core::JoinNames(SubcommandNames(*at)) + " (see " + CommandPath(*at) + " --help)";
  }
  return cli11_message;
}

}  // namespace pgstack::cli
