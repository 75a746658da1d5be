#include "flag_choices.h"

#include <map>

namespace pgstack::cli {
namespace {

// Options live as long as the command tree, which is built once per run.
std::map<const CLI::Option*, std::vector<std::string>>& Table() {
  static std::map<const CLI::Option*, std::vector<std::string>> table;
  return table;
}

}  // namespace

CLI::Option* WithChoices(CLI::Option* flag, std::vector<std::string> choices) {
  Table()[flag] = std::move(choices);
  return flag;
}

const std::vector<std::string>& ChoicesOf(const CLI::Option& flag) {
  static const std::vector<std::string> kAny;
  auto it = Table().find(&flag);
  return it == Table().end() ? kAny : it->second;
}

}  // namespace pgstack::cli
