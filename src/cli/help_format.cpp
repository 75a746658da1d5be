#include "help_format.h"

#include <algorithm>
#include <sstream>
#include <vector>

#include "command_tree.h"
#include "pgstack/core/terminal.h"
#include "pgstack/core/text_table.h"

namespace pgstack::cli {
namespace {

// CLI11 appends a validator's description to the type ("INT:INT in [0 - 65535]"); the kind of
// value is the part before the colon, the range goes into the description.
std::string Kind(const CLI::Option& opt) {
  std::string type = opt.get_type_name();
  return type.substr(0, type.find(':'));
}

std::string Range(const CLI::Option& opt) {
  std::string type = opt.get_type_name();
  size_t open = type.find(" in [");
  size_t close = type.rfind(']');
  if (open == std::string::npos || close == std::string::npos || close < open) return "";
  std::string range = type.substr(open + 5, close - open - 5);  // "0 - 65535"
  if (size_t dash = range.find(" - "); dash != std::string::npos) range.replace(dash, 3, "-");
  return range;
}

std::string Paragraphs(const std::string& text, size_t width) {
  std::string out;
  for (const std::string& line : core::WrapLines(text, width)) out += line + "\n";
  return out;
}

class HelpFormatter : public CLI::Formatter {
 public:
  explicit HelpFormatter(size_t width) : width_(width) {}

  // A flag or a command: its name in the left column, its description wrapped beside it.
  std::string Row(const std::string& name, const std::string& desc) const {
    std::string out = "  " + name;
    // The description keeps kMinWrapWidth columns however narrow the terminal.
    size_t room =
        std::max(core::kMinWrapWidth, width_ > column_width_ ? width_ - column_width_ : 0);
    std::vector<std::string> lines = core::WrapLines(desc, room);
    std::string indent(column_width_, ' ');
    for (size_t i = 0; i < lines.size(); ++i) {
      if (i > 0 || out.size() >= column_width_) {
        out += "\n" + indent;
      } else {
        out += std::string(column_width_ - out.size(), ' ');
      }
      out += lines[i];
    }
    return out + "\n";
  }

  std::string make_option(const CLI::Option* opt, bool is_positional) const override {
    return Row(make_option_name(opt, is_positional) + make_option_opts(opt), make_option_desc(opt));
  }

  std::string make_subcommand(const CLI::App* sub) const override {
    return Row(sub->get_display_name(true), sub->get_description());
  }

  std::string make_description(const CLI::App* app) const override {
    return Paragraphs(CLI::Formatter::make_description(app), width_);
  }

  std::string make_footer(const CLI::App* app) const override {
    return Paragraphs(app->get_footer(), width_);
  }

  std::string make_option_opts(const CLI::Option* opt) const override {
    if (!TakesValue(*opt)) return "";
    std::string out = " " + Kind(*opt);
    if (!opt->get_default_str().empty()) out += "=" + opt->get_default_str();
    if (opt->get_expected_max() == CLI::detail::expected_max_vector_size) out += " ...";
    return out;
  }

  std::string make_option_desc(const CLI::Option* opt) const override {
    std::string desc = opt->get_description();
    if (std::string range = Range(*opt); !range.empty()) desc += " [" + range + "]";
    return desc;
  }

  std::string make_help(const CLI::App* app, std::string /*name*/,
                        CLI::AppFormatMode mode) const override {
    if (mode == CLI::AppFormatMode::Sub) return make_expanded(app);
    std::ostringstream out;
    out << make_description(app) << make_usage(app, CommandPath(*app)) << make_positionals(app)
        << make_groups(app, mode) << make_subcommands(app, mode);
    // Flags of the commands above work here too (they fall through): list them, nearest first.
    for (const CLI::App* up = app->get_parent(); up != nullptr; up = up->get_parent()) {
      auto flags = OwnFlags(*up);
      if (flags.empty()) continue;
      std::string title = up->get_parent() == nullptr ? "Global flags (before or after the command)"
                                                      : "Flags of " + CommandPath(*up);
      out << make_group(title, false, flags);
    }
    if (std::string footer = make_footer(app); !footer.empty()) out << '\n' << footer;
    return out.str();
  }

 private:
  size_t width_;
};

}  // namespace

std::shared_ptr<CLI::Formatter> MakeHelpFormatter(size_t width) {
  return std::make_shared<HelpFormatter>(width);
}

}  // namespace pgstack::cli
