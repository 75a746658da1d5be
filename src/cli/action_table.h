// The actions of a command (migrate up, testdb get, cache list, ...), in one table per command as
// the commands are in kCommands: a row is the action's name, its line of help, what it needs
// before it runs, the function that adds its own flags and the one that runs it. Adding an
// action is those two functions and a row; help, "did you mean", completion and dispatch all
// come from the rows.
#pragma once

#include <CLI/CLI.hpp>
#include <cstddef>
#include <memory>

#include "context.h"

namespace pgstack::cli {

// What an action needs before it runs: only its flags and files, or the database (the
// environment loaded and its endpoint resolved). A command that prepares `Inputs` for its actions
// (migrate: the environment loaded and every common flag parsed) does so by it; the others'
// actions reach the database themselves, after checking their own flags.
enum class Needs { kDirectory, kDatabase };

// An action of a command whose flags (its own and its actions', as typed) are a `Flags`.
// `Inputs` are what the command prepares for every action before it runs one (migrate:
// migrate::Options); none when each action does its own.
template <typename Flags, typename... Inputs>
struct Action {
  using FlagsType = Flags;
  const char* name;
  const char* help;
  Needs needs;
  void (*add_flags)(CLI::App& action, Flags& f);  // the action's own flags and arguments
  int (*run)(Context& ctx, const Flags& f, const Inputs&... in);
};

// The add_flags of an action with no flags of its own.
template <typename Flags>
void NoFlags(CLI::App&, Flags&) {}

// Adds each row of `actions` as a subcommand of `command`, its flags going into `f` (which must
// outlive the parse), and requires exactly one. Once the command line is parsed, the returned
// pointer points to the row it chose. Global flags and the command's own may follow the action.
template <typename Row, size_t N>
std::shared_ptr<const Row*> AddActions(CLI::App& command, const Row (&actions)[N],
                                       typename Row::FlagsType& f) {
  auto chosen = std::make_shared<const Row*>(nullptr);
  command.require_subcommand(1);
  command.fallthrough();
  for (const Row& action : actions) {
    CLI::App* s = command.add_subcommand(action.name, action.help);
    s->fallthrough();
    action.add_flags(*s, f);
    s->callback([chosen, &action] { *chosen = &action; });
  }
  return chosen;
}

// AddActions for a command whose actions prepare nothing in common (no `Inputs`): returns what
// runs the chosen one. `f` lives as long as the returned function.
template <typename Flags, size_t N>
RunFn RegisterActions(CLI::App& command, Context& ctx, const Action<Flags> (&actions)[N],
                      std::shared_ptr<Flags> f) {
  auto chosen = AddActions(command, actions, *f);
  return [&ctx, f, chosen] { return (*chosen)->run(ctx, *f); };
}

}  // namespace pgstack::cli
