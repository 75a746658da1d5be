// pgstack man: the manual page (roff), generated from the same command table as --help, so that
// it lists exactly the commands and flags pgstack has. The build installs its output as pgstack.1.
#include <fmt/format.h>

#include "command_tree.h"
#include "commands.h"
#include "version.h"

namespace pgstack::cli {
namespace {

// Text as roff reads it: backslashes and hyphens escaped, no line starting with a control
// character.
std::string Roff(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out = "\\&" + out;
  return out;
}

std::string Flags(const CLI::App& app) {
  std::string out;
  for (const CLI::Option* f : OwnFlags(app)) {
    out += ".TP\n\\fB" + Roff(f->get_name()) + "\\fR";
    if (TakesValue(*f)) {
      std::string kind = f->get_type_name();
      out += " \\fI" + Roff(kind.substr(0, kind.find(':'))) + "\\fR";
    }
    out += "\n" + Roff(f->get_description());
    if (!f->get_default_str().empty()) out += " (default: " + Roff(f->get_default_str()) + ")";
    out += "\n";
  }
  return out;
}

constexpr const char* kExitStatus = R"(.SH EXIT STATUS
.TP
0
success
.TP
1
a failure at run time
.TP
2
bad usage, configuration or file; nothing was changed
.TP
3
a check, validation, lint or drift finding did not hold
.TP
4
a lock was not acquired in time
.TP
5
status: the stack is stopped (or only part of it runs)
.TP
6
status: there is no stack in the state directory
.TP
130, 143
stopped by SIGINT, SIGTERM
.SH ENVIRONMENT
.TP
PGSTACK_ENV
the environment of the configuration file when \-\-env is not given
.TP
DATABASE_URL, PG*
in external mode, where the server is; where both name a field, DATABASE_URL wins
.TP
NO_COLOR
when set to something, no colour on a terminal either
.SH SEE ALSO
.BR psql (1),
.BR pgbench (1),
.BR pgbouncer (1)
)";

std::string Page(const CLI::App& root) {
  std::string out = fmt::format(".TH PGSTACK 1 \"\" \"pgstack {}\" \"User Commands\"\n", kVersion);
  std::string what = root.get_description();  // "pgstack: a PostgreSQL 17 ..."
  what = what.substr(what.find(": ") == std::string::npos ? 0 : what.find(": ") + 2);
  out += ".SH NAME\npgstack \\- " + Roff(what) + "\n";
  out +=
      ".SH SYNOPSIS\n.B pgstack\n[\\fIflags\\fR] \\fIcommand\\fR [\\fIaction\\fR] "
      "[\\fIflags\\fR] [\\fIarguments\\fR]\n";
  out += ".SH GLOBAL FLAGS\nThey work before or after the command.\n" + Flags(root);
  out += ".SH COMMANDS\n";
  for (const CLI::App* a : CommandTree(root)) {
    if (a == &root) continue;
    out += ".SS " + Roff(CommandPath(*a)) + "\n" + Roff(a->get_description()) + "\n";
    for (const CLI::Option* p :
         a->get_options([](const CLI::Option* o) { return o->get_positional(); }))
      out += ".TP\n\\fI" + Roff(p->get_name()) + "\\fR\n" + Roff(p->get_description()) + "\n";
    out += Flags(*a);
  }
  return out + kExitStatus;
}

}  // namespace

RunFn RegisterMan(CLI::App& sub, Context& ctx) {
  return [&sub, &ctx]() {
    std::string page = Page(*sub.get_parent());
    ctx.out.Json({{"man", page}});
    ctx.out.Line(page.substr(0, page.size() - 1));
    return 0;
  };
}

}  // namespace pgstack::cli
