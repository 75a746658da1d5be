// Output that fits the terminal: word wrapping, tables narrowed at their detail column (never a
// figure), and when colour is allowed (a terminal without NO_COLOR), all with fake widths.
#include <gtest/gtest.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <map>

#include "pgstack/core/terminal.h"
#include "pgstack/core/text_table.h"

namespace pgstack::core {
namespace {

EnvLookup Vars(std::map<std::string, std::string> vars) {
  return [vars](const std::string& k) -> std::optional<std::string> {
    auto it = vars.find(k);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(CoreTerminal, WrapsAtWordBoundaries) {
  EXPECT_EQ(WrapWords("the quick brown fox jumps", 10),
            (std::vector<std::string>{"the quick", "brown fox", "jumps"}));
  EXPECT_EQ(WrapWords("", 10), std::vector<std::string>{""});
  EXPECT_EQ(WrapWords("abcdefghijkl mn", 5),
            (std::vector<std::string>{"abcde", "fghij", "kl mn"}));  // only a too-long word is cut
  for (const auto& line : WrapWords("a fairly long sentence that must wrap somewhere", 12))
    EXPECT_LE(line.size(), 12u) << line;
}

TEST(CoreTerminal, ATableNarrowsItsDetailColumnAndKeepsTheFigures) {
  std::vector<std::vector<std::string>> rows = {
      {"state", "name", "ms"},
      {"applied", "a rather long description of what this migration does to the schema", "1234"},
      {"pending", "short", "-"}};
  auto whole = AlignedTable(rows, {0, 1});
  EXPECT_GT(whole[1].size(), 60u);
  EXPECT_EQ(AlignedTable(rows, {0, 1}, TextStyle{}, 1), whole) << "no width: nothing changes";
  auto fitted = AlignedTable(rows, {0, 1}, TextStyle{.width = 40}, 1);
  ASSERT_GT(fitted.size(), rows.size());
  for (const auto& line : fitted) EXPECT_LE(line.size(), 40u) << line;
  EXPECT_EQ(fitted[1].substr(fitted[1].size() - 4), "1234") << "the figure stays whole";
  EXPECT_EQ(fitted[1].rfind("applied", 0), 0u);
  EXPECT_EQ(fitted[2].rfind("       ", 0), 0u) << "a continuation line leaves state blank";
  std::string rejoined;
  for (size_t i = 1; i + 1 < fitted.size(); ++i) {
    std::string piece = fitted[i].substr(9);
    if (i == 1) piece = piece.substr(0, piece.size() - 4);
    while (!piece.empty() && piece.back() == ' ') piece.pop_back();
    rejoined += (rejoined.empty() ? "" : " ") + piece;
  }
  EXPECT_EQ(rejoined, rows[1][1]) << "wrapped at spaces, no word lost";
}

// migrate status's shape: a narrow terminal leaves out the droppable columns, in their order,
// until the table fits; a wide one keeps them all.
TEST(CoreTerminal, ATableTooWideEvenWrappedLeavesOutItsDroppableColumns) {
  std::vector<std::vector<std::string>> rows = {
      {"state", "version", "name", "ms", "when", "by"},
      {"applied", "20240101120000", "create accounts and their owners", "12",
       "2024-01-01 12:00:00.123456+00", "deploy@build-host"},
      {"pending", "20240102120000", "add index", "-", "", ""}};
  auto fitted = AlignedTable(rows, {0, 1, 2, 4, 5}, TextStyle{.width = 60}, 2, {5, 3, 4});
  for (const auto& line : fitted) EXPECT_LE(line.size(), 60u) << line;
  EXPECT_EQ(fitted[0].find("by"), std::string::npos) << fitted[0];
  EXPECT_EQ(fitted[0].find("ms"), std::string::npos) << fitted[0];
  EXPECT_EQ(fitted[0].find("when"), std::string::npos) << fitted[0];
  EXPECT_EQ(fitted[1].rfind("applied  20240101120000  create", 0), 0u) << fitted[1];
  auto wide = AlignedTable(rows, {0, 1, 2, 4, 5}, TextStyle{.width = 200}, 2, {5, 3, 4});
  EXPECT_NE(wide[0].find("by"), std::string::npos) << wide[0];
  auto middle = AlignedTable(rows, {0, 1, 2, 4, 5}, TextStyle{.width = 100}, 2, {5, 3, 4});
  for (const auto& line : middle) EXPECT_LE(line.size(), 100u) << line;
  EXPECT_NE(middle[0].find("when"), std::string::npos) << "only what does not fit goes";
}

TEST(CoreTerminal, ColourOnlyOnATerminalAndNotUnderNoColor) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  TextStyle piped = DetectTextStyle(fds[1], Vars({{"COLUMNS", "50"}}));
  EXPECT_FALSE(piped.width.has_value()) << "not a terminal: whole lines";
  EXPECT_FALSE(piped.color);
  close(fds[0]);
  close(fds[1]);

  int master = -1, slave = -1;
  winsize ws{};
  ws.ws_col = 57;
  ws.ws_row = 20;
  if (openpty(&master, &slave, nullptr, nullptr, &ws) != 0) GTEST_SKIP() << "no pty here";
  TextStyle tty = DetectTextStyle(slave, Vars({}));
  EXPECT_EQ(tty.width.value_or(0), 57u);
  EXPECT_EQ(DetectTextStyle(slave, Vars({{"COLUMNS", "60"}})).width.value_or(0), 60u)
      << "$COLUMNS is the width the user asked for";
  EXPECT_TRUE(tty.color);
  EXPECT_FALSE(DetectTextStyle(slave, Vars({{"NO_COLOR", "1"}})).color);
  EXPECT_TRUE(DetectTextStyle(slave, Vars({{"NO_COLOR", ""}})).color) << "only non-empty counts";
  close(master);
  close(slave);

  EXPECT_EQ(Colored("pass", Tint::kGreen, TextStyle{.color = true}), "\033[32mpass\033[0m");
  EXPECT_EQ(Colored("pass", Tint::kGreen, TextStyle{}), "pass");
}

}  // namespace
}  // namespace pgstack::core
