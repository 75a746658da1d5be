// "Did you mean": the known name nearest to a mistyped one, for every message that rejects a
// name (commands, flags, enumerated values, environments, checks).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pgstack::core {

// The name in `names` nearest to `word` in edit distance, when fewer than three edits and fewer
// than the word's own length separate them (so that "x" suggests nothing); "" otherwise.
std::string Nearest(std::string_view word, const std::vector<std::string>& names);

// " (did you mean 'NAME'?)" for the nearest name, or "".
std::string DidYouMean(std::string_view word, const std::vector<std::string>& names);

// "a, b, c".
std::string JoinNames(const std::vector<std::string>& names);

// "WHAT WORD: unknown (did you mean 'NAME'?; one of: ...)", the one line that rejects a word
// that names none of `names` (`what` is the flag or thing, e.g. "--format").
std::string UnknownChoice(std::string_view what, std::string_view word,
                          const std::vector<std::string>& names);

}  // namespace pgstack::core
