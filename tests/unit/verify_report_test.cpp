// How a verify report reads: the aligned table and the JSON document.
#include <gtest/gtest.h>

#include "pgstack/verify/report.h"

namespace pgstack::verify {
namespace {

Report Sample() {
  Report r;
  r.results.push_back({.id = "postgres.version",
                       .status = CheckStatus::kPass,
                       .detail = "PostgreSQL 17.10",
                       .expected = "17.x",
                       .actual = "17.10",
                       .ms = 0.4});
  r.results.push_back({.id = "pgbouncer.running",
                       .status = CheckStatus::kFail,
                       .detail = "PgBouncer is not running",
                       .expected = "accepting",
                       .actual = "no response",
                       .fix = "start it: pgstack up",
                       .ms = 12.2});
  r.results.push_back({.id = "security.credentials_mode",
                       .status = CheckStatus::kSkip,
                       .detail = "credentials.json does not exist",
                       .ms = 0});
  r.total_ms = 20.6;
  return r;
}

TEST(VerifyReport, CountsAndVerdict) {
  Report r = Sample();
  EXPECT_EQ(r.Count(CheckStatus::kPass), 1);
  EXPECT_EQ(r.Count(CheckStatus::kFail), 1);
  EXPECT_EQ(r.Count(CheckStatus::kSkip), 1);
  EXPECT_FALSE(r.ok());
  r.results.erase(r.results.begin() + 1);
  EXPECT_TRUE(r.ok()) << "a skip is not a failure";
}

TEST(VerifyReport, TableRowsAreAlignedWithAFixUnderEachFailureAndASummary) {
  std::vector<std::string> lines = RenderTable(Sample());
  ASSERT_EQ(lines.size(), 6u);  // header, 3 rows, 1 fix line, summary
  // Every column starts at the same offset in the header and in each check's row.
  size_t status_at = lines[0].find("STATUS"), detail_at = lines[0].find("DETAIL");
  size_t ms_end = lines[0].find("MS") + 2;
  for (int i : {1, 2, 4}) {
    SCOPED_TRACE(lines[i]);
    EXPECT_EQ(lines[i].find_first_not_of(' ', lines[i].find(' ')), status_at);
    EXPECT_NE(lines[i].find_first_not_of(' ', status_at + 4), std::string::npos);
    EXPECT_EQ(lines[i].size(), ms_end) << "ms right-aligned under MS";
  }
  EXPECT_EQ(lines[1].substr(status_at, 4), "pass");
  EXPECT_EQ(lines[1].substr(detail_at, 16), "PostgreSQL 17.10");
  EXPECT_EQ(lines[2].substr(status_at, 4), "fail");
  EXPECT_EQ(lines[2].substr(lines[2].size() - 2), "13") << "ms are rounded up";
  EXPECT_EQ(lines[3].find("what to do: start it: pgstack up"), status_at);
  EXPECT_EQ(lines[4].substr(status_at, 4), "skip");
  EXPECT_EQ(lines[5], "3 checks: 1 passed, 1 failed, 1 skipped in 21 ms");
}

TEST(VerifyReport, OneCheckIsSaidInTheSingular) {
  Report r = Sample();
  r.results.resize(1);
  r.total_ms = 1;
  EXPECT_EQ(RenderTable(r).back(), "1 check: 1 passed, 0 failed, 0 skipped in 1 ms");
}

TEST(VerifyReport, ALongDetailDoesNotWidenEveryRow) {
  Report r = Sample();
  r.results[0].detail = std::string(300, 'x');
  std::vector<std::string> lines = RenderTable(r);
  EXPECT_LT(lines[2].size(), 150u);
  EXPECT_NE(lines[1].find(std::string(300, 'x')), std::string::npos) << "nothing is cut";
}

// On a terminal the report fits its width: details wrap at words, the figures stay on the
// check's own line; pass and fail are coloured only when colour is allowed.
TEST(VerifyReport, FitsTheTerminalAndColoursPassAndFail) {
  Report r = Sample();
  r.results[0].detail = "a long detail that says a great deal about what this check found there";
  auto lines = RenderTable(r, core::TextStyle{.width = 60});
  for (const auto& line : lines) {
    if (line.rfind("3 checks", 0) != 0) {
      EXPECT_LE(line.size(), 60u) << line;
    }
  }
  EXPECT_EQ(lines[1].rfind("postgres.version", 0), 0u);
  EXPECT_EQ(lines[1].substr(lines[1].size() - 1), "1") << "the ms stays on the check's line";
  EXPECT_EQ(lines[2].rfind("          ", 0), 0u) << "a continuation line: " << lines[2];
  EXPECT_EQ(RenderTable(r)[1].find("\033["), std::string::npos) << "no colour by default";
  auto color = RenderTable(Sample(), core::TextStyle{.color = true});
  EXPECT_NE(color[1].find("\033[32mpass"), std::string::npos) << color[1];
  EXPECT_NE(color[2].find("\033[31mfail"), std::string::npos) << color[2];
}

TEST(VerifyReport, JsonHasTheDocumentedShape) {
  nlohmann::json doc = ToJson(Sample());
  ASSERT_TRUE(doc["checks"].is_array());
  ASSERT_EQ(doc["checks"].size(), 3u);
  EXPECT_EQ(doc["passed"], 1);
  EXPECT_EQ(doc["failed"], 1);
  EXPECT_EQ(doc["skipped"], 1);
  const auto& pass = doc["checks"][0];
  for (const char* key : {"id", "status", "detail", "ms", "expected", "actual"}) {
    EXPECT_TRUE(pass.contains(key)) << key;
  }
  EXPECT_EQ(pass["id"], "postgres.version");
  EXPECT_EQ(pass["status"], "pass");
  EXPECT_EQ(pass["expected"], "17.x");
  EXPECT_DOUBLE_EQ(pass["ms"].get<double>(), 0.4);
  EXPECT_FALSE(pass.contains("fix"));
  EXPECT_EQ(doc["checks"][1]["status"], "fail");
  EXPECT_EQ(doc["checks"][1]["fix"], "start it: pgstack up");
  EXPECT_TRUE(doc["checks"][2]["expected"].is_null());
  EXPECT_TRUE(doc["checks"][2]["actual"].is_null());
  EXPECT_EQ(doc["checks"][2]["status"], "skip");
}

TEST(VerifyReport, ListNamesEveryCheckWithWhatItProves) {
  std::vector<std::string> lines = RenderList(AllChecks());
  ASSERT_EQ(lines.size(), AllChecks().size());
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].rfind(std::string(AllChecks()[i].id), 0), 0u);
    EXPECT_NE(lines[i].find(AllChecks()[i].proves), std::string::npos);
  }
}

}  // namespace
}  // namespace pgstack::verify
