// How text output fits where it goes: the width of the terminal (none when stdout is not one:
// a file or a pipe gets whole lines) and whether pass/fail may be coloured (a terminal, and
// NO_COLOR unset or empty: https://no-color.org). The CLI detects it once; renderers take it as
// a value, so that their tests need no terminal.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgstack/core/config.h"

namespace pgstack::core {

struct TextStyle {
  std::optional<size_t> width;  // columns to fit in; nullopt: do not cut or wrap
  bool color = false;           // ANSI colours allowed
};

// The style for file descriptor fd: on a terminal, its width ($COLUMNS, else TIOCGWINSZ, else
// 80) and colour unless $NO_COLOR is set to something; elsewhere no width and no colour.
TextStyle DetectTextStyle(int fd, const EnvLookup& env);

// text broken at spaces into lines of at most width characters (a word longer than that is cut).
// Never empty: "" gives one empty line.
std::vector<std::string> WrapWords(std::string_view text, size_t width);
// The same for each line of text ("a\n\nb": a, an empty line, b; the last line break ends the
// last line; "" gives no line).
std::vector<std::string> WrapLines(std::string_view text, size_t width);

enum class Tint { kGreen, kRed, kYellow };
// text in that colour when style.color, else text as it is.
std::string Colored(std::string_view text, Tint tint, const TextStyle& style);

}  // namespace pgstack::core
