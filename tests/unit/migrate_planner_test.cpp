// The planner: what is applied, pending, refused, and what down reverts; no database.
#include <gtest/gtest.h>

#include "pgstack/migrate/planner.h"

namespace pgstack::migrate {
namespace {

Migration M(const char* version, const char* checksum, bool down = true) {
  Migration m;
  m.version = Version::Parse(version);
  m.name = std::string("m") + version;
  m.checksum = checksum;
  m.up.path = "dir/" + m.name + ".sql";
  m.up.statements.resize(2);
  if (down) {
    m.down = SqlText();
    m.down->statements.resize(1);
  }
  return m;
}

HistoryRow H(const char* version, const char* checksum, std::string_view state = kStateApplied) {
  HistoryRow h;
  h.version = version;
  h.name = std::string("m") + version;
  h.kind = kKindVersioned;
  h.checksum = checksum;
  h.state = state;
  h.statements_total = 2;
  return h;
}

bool Has(const Plan& p, Problem::Kind k, const std::string& v) {
  for (const auto& x : p.problems) {
    if (x.kind == k && x.version == v) return true;
  }
  return false;
}

TEST(MigratePlanner, PendingInVersionOrderUpToTarget) {
  MigrationSet set;
  set.migrations = {M("1", "a"), M("2", "b"), M("10", "c")};
  std::vector<HistoryRow> hist = {H("1", "a")};
  Plan p = MakePlan(set, hist, {});
  ASSERT_EQ(p.pending.size(), 2u);
  EXPECT_EQ(p.pending[0].migration->key(), "2");
  EXPECT_EQ(p.pending[1].migration->key(), "10");
  EXPECT_TRUE(Refusal(p).ok());
  Plan to = MakePlan(set, hist, {Version::Parse("2"), false});
  EXPECT_EQ(to.pending.size(), 1u);
}

TEST(MigratePlanner, ChangedMissingAndOutOfOrderRefuse) {
  MigrationSet set;
  set.migrations = {M("1", "edited"), M("2", "b"), M("3", "c")};
  std::vector<HistoryRow> hist = {H("1", "a"), H("3", "c"), H("4", "d")};
  Plan p = MakePlan(set, hist, {});
  EXPECT_TRUE(Has(p, Problem::Kind::kChanged, "1"));
  EXPECT_TRUE(Has(p, Problem::Kind::kMissing, "4"));
  EXPECT_TRUE(Has(p, Problem::Kind::kOutOfOrder, "2"));
  Status s = Refusal(p);
  EXPECT_EQ(s.code(), Code::kCheckFailed);
  EXPECT_NE(s.message().find("edited"), std::string::npos);
  EXPECT_NE(s.message().find("a"), std::string::npos);

  set.migrations = {M("1", "a"), M("2", "b"), M("3", "c")};
  hist = {H("1", "a"), H("3", "c")};
  EXPECT_EQ(Refusal(MakePlan(set, hist, {})).code(), Code::kCheckFailed);
  EXPECT_TRUE(Refusal(MakePlan(set, hist, {std::nullopt, true})).ok());
}

// `migrate repair` accepts edited checksums; it cannot bring back a deleted file, so it is not
// offered for one.
TEST(MigratePlanner, RepairIsOfferedForEditedFilesOnly) {
  MigrationSet set;
  set.migrations = {M("1", "a")};
  Status missing = Refusal(MakePlan(set, {H("1", "a"), H("2", "b")}, {}));
  EXPECT_EQ(missing.code(), Code::kCheckFailed);
  EXPECT_EQ(missing.message().find("repair"), std::string::npos) << missing.message();
  EXPECT_NE(missing.message().find("restore a missing file"), std::string::npos)
      << missing.message();
  Status edited = Refusal(MakePlan(set, {H("1", "edited")}, {}));
  EXPECT_NE(edited.message().find("`migrate repair` accepts edited files"), std::string::npos)
      << edited.message();
}

TEST(MigratePlanner, PartialRunIsPendingAndReported) {
  MigrationSet set;
  set.migrations = {M("1", "a")};
  set.migrations[0].up_options.no_transaction = true;
  HistoryRow h = H("1", "a", kStatePartial);
  h.statements_done = 1;
  std::vector<HistoryRow> hist = {h};
  Plan p = MakePlan(set, hist, {});
  ASSERT_EQ(p.pending.size(), 1u);
  EXPECT_EQ(p.pending[0].partial, &hist[0]);
  EXPECT_TRUE(p.applied.empty());
  EXPECT_TRUE(Has(p, Problem::Kind::kPartial, "1"));
  EXPECT_TRUE(Refusal(p).ok());  // up resumes it
  ASSERT_EQ(p.problems.size(), 1u);
  EXPECT_FALSE(p.problems[0].reverting);
}

TEST(MigratePlanner, HalfRunOfAFileThatNowRunsInOneTransactionStopsUp) {
  MigrationSet set;
  set.migrations = {M("1", "a")};  // no longer no-transaction: one transaction would rerun all
  std::vector<HistoryRow> hist = {H("1", "a", kStatePartial)};
  hist[0].statements_done = 1;
  Status s = Refusal(MakePlan(set, hist, {}));
  EXPECT_EQ(s.code(), Code::kCheckFailed);
  for (const char* said : {"partial 1", "now runs in one transaction", "by statement again"})
    EXPECT_NE(s.message().find(said), std::string::npos) << s.message();
}

TEST(MigratePlanner, AnotherNameWithAnAppliedVersionIsAnotherMigrationNotAnEdit) {
  MigrationSet set;
  set.migrations = {M("1", "b1-sum")};
  set.migrations[0].name = "b1";
  HistoryRow h = H("1", "init-sum");
  h.name = "init";
  std::vector<HistoryRow> hist = {h};
  Plan p = MakePlan(set, hist, {});
  ASSERT_EQ(p.problems.size(), 1u);
  EXPECT_EQ(p.problems[0].kind, Problem::Kind::kNameDiffers);
  EXPECT_EQ(ProblemKindName(p.problems[0].kind), "name_differs");
  ASSERT_EQ(p.applied.size(), 1u);
  EXPECT_EQ(p.applied[0].migration, nullptr) << "its down SQL is not the applied one's";
  Status s = Refusal(p);
  EXPECT_EQ(s.code(), Code::kCheckFailed);
  EXPECT_NE(s.message().find("\"init\""), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("\"b1\""), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("repair"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("edited"), std::string::npos) << s.message();
}

TEST(MigratePlanner, HalfDoneDownStopsUp) {
  MigrationSet set;
  set.migrations = {M("1", "a")};
  HistoryRow h = H("1", "a", kStateReverting);
  h.statements_done = 1;
  std::vector<HistoryRow> hist = {h};
  Plan p = MakePlan(set, hist, {});
  ASSERT_EQ(p.problems.size(), 1u);
  EXPECT_EQ(p.problems[0].kind, Problem::Kind::kPartial);
  EXPECT_TRUE(p.problems[0].reverting);
  ASSERT_EQ(p.reverting.size(), 1u);
  Status s = Refusal(p);
  EXPECT_EQ(s.code(), Code::kCheckFailed);
  EXPECT_NE(s.message().find("`migrate down` finishes it"), std::string::npos) << s.message();
}

TEST(MigratePlanner, DownNewestFirstAndMissingDownReportedFirst) {
  MigrationSet set;
  set.migrations = {M("1", "a"), M("2", "b", false), M("3", "c")};
  std::vector<HistoryRow> hist = {H("1", "a"), H("2", "b"), H("3", "c")};
  Plan p = MakePlan(set, hist, {std::nullopt, true});
  auto one = PlanDown(p, std::nullopt, std::nullopt);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].row->version, "3");
  auto all = PlanDown(p, std::nullopt, Version::Parse("0"));
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.status().code(), Code::kInvalidInput);
  EXPECT_NE(all.status().message().find("no down SQL for version 2"), std::string::npos);
}

TEST(MigratePlanner, DownToZeroRevertsVersionZeroToo) {
  MigrationSet set;
  set.migrations = {M("0", "z"), M("1", "a"), M("2", "b")};
  std::vector<HistoryRow> hist = {H("0", "z"), H("1", "a"), H("2", "b")};
  Plan p = MakePlan(set, hist, {std::nullopt, true});
  for (const char* zero : {"0", "0000"}) {
    auto all = PlanDown(p, std::nullopt, Version::Parse(zero));
    ASSERT_TRUE(all.ok()) << all.status().message();
    ASSERT_EQ(all->size(), 3u) << "--to " << zero;
    EXPECT_EQ((*all)[2].row->version, "0");
  }
  auto above_one = PlanDown(p, std::nullopt, Version::Parse("1"));
  ASSERT_TRUE(above_one.ok());
  EXPECT_EQ(above_one->size(), 1u);
}

TEST(MigratePlanner, RepeatableRerunsWhenItsChecksumChanges) {
  MigrationSet set;
  Migration r;
  r.name = "view";
  r.checksum = "new";
  set.migrations = {r};
  HistoryRow h = H("R__view", "old");
  h.kind = kKindRepeatable;
  std::vector<HistoryRow> hist = {h};
  Plan p = MakePlan(set, hist, {});
  EXPECT_EQ(p.pending.size(), 1u);
  EXPECT_FALSE(Has(p, Problem::Kind::kChanged, "R__view"));
  hist[0].checksum = "new";
  EXPECT_TRUE(MakePlan(set, hist, {}).pending.empty());
}

}  // namespace
}  // namespace pgstack::migrate
