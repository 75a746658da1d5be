// README.md's output samples (tools/readme-samples.sh regenerates them from real runs) keep the
// shape of what the code prints: the verify sample lists exactly the checks a plain `verify`
// runs, in its order, under its header, with its summary. Timings are not compared.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "pgstack/verify/check.h"
#include "pgstack/verify/report.h"

namespace pgstack::verify {
namespace {

// The lines between "<!-- sample: name -->" and "<!-- /sample -->", without the fences.
std::vector<std::string> Sample(const std::string& name) {
  std::ifstream in(std::string(PGSTACK_SOURCE_DIR) + "/README.md");
  std::vector<std::string> lines;
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line == "<!-- sample: " + name + " -->") {
      inside = true;
    } else if (line == "<!-- /sample -->") {
      inside = false;
    } else if (inside && line.rfind("```", 0) != 0) {
      lines.push_back(line);
    }
  }
  return lines;
}

TEST(ReadmeSamples, VerifyListsExactlyTheChecksVerifyRuns) {
  std::vector<std::string> sample = Sample("verify");
  ASSERT_GE(sample.size(), 3u) << "README.md has no <!-- sample: verify --> block";
  // The header as RenderTable writes it (its words; the widths follow the details).
  std::istringstream header(sample.front());
  std::vector<std::string> words((std::istream_iterator<std::string>(header)),
                                 std::istream_iterator<std::string>());
  EXPECT_EQ(words, (std::vector<std::string>{"CHECK", "STATUS", "DETAIL", "MS"}));

  std::vector<std::string> shown;
  for (size_t i = 1; i + 1 < sample.size(); ++i) {
    if (sample[i].empty() || sample[i][0] == ' ') continue;  // a wrapped detail or a fix line
    shown.push_back(sample[i].substr(0, sample[i].find(' ')));
  }
  std::vector<std::string> runs;
  // The sample's stack has no replicas: the checks that only apply to some stacks are not in it.
  for (const CheckSpec& c : AllChecks()) {
    if (!c.on_request && !c.applies) runs.emplace_back(c.id);
  }
  EXPECT_EQ(shown, runs) << "regenerate the sample: tools/readme-samples.sh";
  // verify names the state directory's files by their absolute paths (StatePaths): so does the
  // sample.
  for (const std::string& line : sample) {
    if (line.rfind("security.", 0) != 0 || line.find("_mode ") == std::string::npos) continue;
    std::istringstream row(line);
    std::string id, status, mode, path;
    row >> id >> status >> mode >> path;
    EXPECT_EQ(path.rfind('/', 0), 0u) << "not an absolute path, as verify prints it: " << line;
  }
  std::string summary = std::to_string(runs.size()) + " checks: ";
  EXPECT_EQ(sample.back().rfind(summary, 0), 0u) << sample.back();
}

}  // namespace
}  // namespace pgstack::verify
