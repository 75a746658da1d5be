// One thing `up` changed (local or external): a verb from a closed set and the rest of the
// sentence. People read the sentence (ActionLine); a script reads the verb (ActionsJson) and
// never has to take prose apart to ask "did anything restart?".
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace pgstack::stack {

// Every verb an action of `up` may have. A new one is a row here and one in action.cpp's table.
enum class ActionVerb {
  kAllowed,
  kCopied,
  kCreated,
  kGenerated,
  kGranted,
  kInitialized,
  kLifted,
  kMade,
  kPut,
  kRebuilt,
  kReloaded,
  kRemoved,
  kReset,
  kRestarted,
  kSet,
  kStarted,
  kTook,
  kWrote,
};
inline constexpr int kActionVerbCount = static_cast<int>(ActionVerb::kWrote) + 1;

struct Action {
  ActionVerb verb;
  std::string detail;  // the sentence after the verb: "PostgreSQL on 127.0.0.1:5432"

  bool operator==(const Action&) const = default;
};

// The verb as the sentence and the JSON say it, in the past tense: "started", "reloaded", ...
std::string_view VerbWord(ActionVerb verb);

// The action as a sentence: "started PostgreSQL on 127.0.0.1:5432".
std::string ActionLine(const Action& action);

// The sentences of `actions`, in order.
std::vector<std::string> ActionLines(const std::vector<Action>& actions);

// [{"action": verb word, "detail": the rest}, ...], in order.
nlohmann::json ActionsJson(const std::vector<Action>& actions);

}  // namespace pgstack::stack
