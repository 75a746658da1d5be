#include "pgstack/stack/action.h"

#include <iterator>

namespace pgstack::stack {

namespace {

struct VerbRow {
  ActionVerb verb;
  std::string_view word;
};

// In the enum's order, one row per verb (checked below, when it compiles).
constexpr VerbRow kVerbs[] = {
    {ActionVerb::kAllowed, "allowed"},   {ActionVerb::kCopied, "copied"},
    {ActionVerb::kCreated, "created"},   {ActionVerb::kGenerated, "generated"},
    {ActionVerb::kGranted, "granted"},   {ActionVerb::kInitialized, "initialized"},
    {ActionVerb::kLifted, "lifted"},     {ActionVerb::kMade, "made"},
    {ActionVerb::kPut, "put"},           {ActionVerb::kRebuilt, "rebuilt"},
    {ActionVerb::kReloaded, "reloaded"}, {ActionVerb::kRemoved, "removed"},
    {ActionVerb::kReset, "reset"},       {ActionVerb::kRestarted, "restarted"},
    {ActionVerb::kSet, "set"},           {ActionVerb::kStarted, "started"},
    {ActionVerb::kTook, "took"},         {ActionVerb::kWrote, "wrote"},
};

constexpr bool EveryVerbInItsRow() {
  for (size_t i = 0; i < std::size(kVerbs); ++i)
    if (static_cast<size_t>(kVerbs[i].verb) != i) return false;
  return std::size(kVerbs) == kActionVerbCount;
}
static_assert(EveryVerbInItsRow(), "kVerbs must list every ActionVerb, in the enum's order");

}  // namespace

std::string_view VerbWord(ActionVerb verb) { return kVerbs[static_cast<size_t>(verb)].word; }

std::string ActionLine(const Action& action) {
  std::string line(VerbWord(action.verb));
  if (!action.detail.empty()) line += " " + action.detail;
  return line;
}

std::vector<std::string> ActionLines(const std::vector<Action>& actions) {
  std::vector<std::string> lines;
  for (const Action& a : actions) lines.push_back(ActionLine(a));
  return lines;
}

nlohmann::json ActionsJson(const std::vector<Action>& actions) {
  nlohmann::json out = nlohmann::json::array();
  for (const Action& a : actions)
    out.push_back({{"action", std::string(VerbWord(a.verb))}, {"detail", a.detail}});
  return out;
}

}  // namespace pgstack::stack
