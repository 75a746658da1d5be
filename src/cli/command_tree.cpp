#include "command_tree.h"

namespace pgstack::cli {

std::string CommandPath(const CLI::App& app) {
  if (app.get_parent() == nullptr) return "pgstack";
  return CommandPath(*app.get_parent()) + " " + app.get_name();
}

std::vector<const CLI::App*> Subcommands(const CLI::App& app) {
  return app.get_subcommands([](const CLI::App* s) { return !s->get_name().empty(); });
}

std::vector<std::string> SubcommandNames(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* s : Subcommands(app)) names.push_back(s->get_name());
  return names;
}

std::vector<const CLI::App*> CommandTree(const CLI::App& app) {
  std::vector<const CLI::App*> all{&app};
  for (const CLI::App* s : Subcommands(app)) {
    auto below = CommandTree(*s);
    all.insert(all.end(), below.begin(), below.end());
  }
  return all;
}

std::vector<const CLI::Option*> OwnFlags(const CLI::App& app) {
  return app.get_options([&app](const CLI::Option* o) {
    return o->nonpositional() && o != app.get_help_ptr() && o != app.get_help_all_ptr();
  });
}

// CLI11 gives a switch a type size of 1 too; what tells them apart is how many values it expects.
bool TakesValue(const CLI::Option& flag) { return flag.get_expected_min() > 0; }

}  // namespace pgstack::cli
