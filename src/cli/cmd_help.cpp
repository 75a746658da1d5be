// pgstack help [COMMAND [ACTION]]: the same text as `pgstack COMMAND ACTION --help`.
#include "command_tree.h"
#include "commands.h"
#include "pgstack/core/nearest.h"

namespace pgstack::cli {

RunFn RegisterHelp(CLI::App& sub, Context& ctx) {
  auto words = std::make_shared<std::vector<std::string>>();
  sub.add_option("command", *words, "a command and its action, e.g. `migrate up`");
  return [&sub, &ctx, words]() {
    const CLI::App* at = sub.get_parent();
    for (const std::string& w : *words) {
      std::vector<std::string> names = SubcommandNames(*at);
      if (std::find(names.begin(), names.end(), w) == names.end()) {
        std::string msg = "help: " + CommandPath(*at) + " has no command '" + w + "'";
        return ctx.out.Fail(Status::InvalidInput(msg + core::DidYouMean(w, names)));
      }
      at = at->get_subcommand(w);
    }
    std::string text = at->help();
    ctx.out.Json({{"command", CommandPath(*at)}, {"help", text}});
    ctx.out.Line(text.substr(0, text.find_last_not_of('\n') + 1));
    return 0;
  };
}

}  // namespace pgstack::cli
