#include "pgstack/core/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

namespace pgstack::core {

TextStyle DetectTextStyle(int fd, const EnvLookup& env) {
  TextStyle style;
  if (!isatty(fd)) return style;
  // $COLUMNS first, as ls and man read it: a user who sets it means that width.
  winsize ws{};
  if (auto cols = env("COLUMNS"); cols && std::atoi(cols->c_str()) > 0) {
    style.width = static_cast<size_t>(std::atoi(cols->c_str()));
  } else if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
    style.width = ws.ws_col;
  } else {
    style.width = 80;
  }
  auto no_color = env("NO_COLOR");
  style.color = !no_color || no_color->empty();
  return style;
}

std::vector<std::string> WrapWords(std::string_view text, size_t width) {
  if (width == 0) width = 1;
  std::vector<std::string> lines;
  std::string line;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = text.find_first_not_of(' ', i);
    if (start == std::string_view::npos) break;
    size_t end = text.find(' ', start);
    std::string_view word = text.substr(start, end == std::string_view::npos ? end : end - start);
    i = end == std::string_view::npos ? text.size() : end;
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      lines.push_back(std::move(line));
      line.clear();
    }
    if (!line.empty()) line += ' ';
    while (word.size() > width - line.size() && line.empty()) {  // a word wider than a line
      lines.emplace_back(word.substr(0, width));
      word.remove_prefix(width);
    }
    line += word;
  }
  if (!line.empty() || lines.empty()) lines.push_back(std::move(line));
  return lines;
}

std::vector<std::string> WrapLines(std::string_view text, size_t width) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = std::min(text.find('\n', start), text.size());
    for (std::string& l : WrapWords(text.substr(start, end - start), width))
      lines.push_back(std::move(l));
    start = end + 1;
  }
  return lines;
}

std::string Colored(std::string_view text, Tint tint, const TextStyle& style) {
  if (!style.color) return std::string(text);
  const char* code = tint == Tint::kGreen ? "\033[32m"
                     : tint == Tint::kRed ? "\033[31m"
                                          : "\033[33m";
  return code + std::string(text) + "\033[0m";
}

}  // namespace pgstack::core
