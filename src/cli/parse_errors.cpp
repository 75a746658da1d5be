#include "parse_errors.h"

#include <algorithm>

#include "command_tree.h"

namespace pgstack::cli {
namespace {

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

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

std::string Joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

std::string Nearest(const std::string& word, const std::vector<std::string>& names) {
  std::string best;
  size_t best_d = 3;
  for (const auto& n : names) {
    if (size_t d = EditDistance(word, n); d < best_d) {
      best_d = d;
      best = n;
    }
  }
  return best;
}

std::string ExplainParseError(const CLI::App& root, int argc, const char* const* argv,
                              const std::string& cli11_message) {
  const CLI::App* at = &root;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.size() > 1 && arg[0] == '-') {
      const CLI::Option* flag = FindFlag(*at, arg);
      if (flag && TakesValue(*flag) && arg.find('=') == std::string::npos) ++i;
      continue;
    }
    std::vector<std::string> names = SubcommandNames(*at);
    if (names.empty()) break;  // the command's own arguments from here on
    if (std::find(names.begin(), names.end(), arg) != names.end()) {
      at = at->get_subcommand(arg);
      continue;
    }
    std::string msg = at == &root ? "unknown command '" + arg + "'"
                                  : "unknown " + at->get_name() + " action '" + arg + "'";
    if (std::string near = Nearest(arg, names); !near.empty()) {
      msg += " (did you mean '" + near + "'?)";
    } else {
      msg += " (one of: " + Joined(names) + ")";
    }
    return msg;
  }
  if (at->get_require_subcommand_min() > 0) {
    return CommandPath(*at) + (at == &root ? " needs a command: " : " needs an action: ") +
           Joined(SubcommandNames(*at)) + " (see " + CommandPath(*at) + " --help)";
  }
  return cli11_message;
}

}  // namespace pgstack::cli
