// What `migrate` says and records is what happened: each migration's own execution time, what a
// failed run applied before its error, a scaffolded empty file that blocks nothing but `up`, a
// migration never reported applied unless its history row committed, and `down --to 0`.
#include <fmt/format.h>

#include <set>
#include <string>

#include "migrate_fixture.h"

namespace pgstack::testing {
namespace {

using nlohmann::json;

json Document(const core::CommandOutput& out) {
  size_t brace = out.output.find('{');
  return brace == std::string::npos ? json()
                                    : json::parse(out.output.substr(brace), nullptr, false);
}

TEST_F(Migrate, ExecutionMsIsEachMigrationsOwnTimeNotTheBatchsRunningTotal) {
  ASSERT_EQ(Scalar("CREATE TABLE mt.marks (k int, at timestamptz); SELECT 1"), "1");
  // One batch of seven. Each marks on the server's clock when it runs; 2 to 6 then sleep 80 ms.
  for (int i = 1; i <= 7; ++i) {
    WriteText(fmt::format("{}/{:04}_s.sql", dir_, i),
              fmt::format("-- pgstack:up\ninsert into mt.marks values ({}, clock_timestamp());\n{}",
                          i, i == 1 || i == 7 ? "" : "select pg_sleep(0.08);\n"));
  }
  auto up = Run({"up", "--dir", dir_, "--json"});
  ASSERT_EQ(up.exit_code, 0) << up.output;
  // Migration k ran after k-1 committed (its mark came earlier) and before k+1 marked, so its own
  // time is at most the span between those two marks, whatever the load; it slept, so at least
  // 80 ms. A running total of the batch reaches back to 1's mark, past that span from 3 on.
  std::string own =
      "SELECT count(*) FROM pgstack.schema_history h, mt.marks b, mt.marks a "
      "WHERE b.k = h.version::int - 1 AND a.k = h.version::int + 1 AND h.execution_ms >= 80 AND "
      "h.execution_ms <= ceil(extract(epoch FROM a.at - b.at) * 1000)";
  EXPECT_EQ(Scalar(own), "5") << Scalar(
      "SELECT string_agg(h.version || ': ' || h.execution_ms || ' ms, marks ' || "
      "(SELECT string_agg(to_char(at, 'SS.MS'), ' ' ORDER BY k) FROM mt.marks WHERE k BETWEEN "
      "h.version::int - 1 AND h.version::int + 1), '; ' ORDER BY h.version) "
      "FROM pgstack.schema_history h");
  // The document reports the time the history holds.
  json applied = Document(up)["applied"];
  ASSERT_EQ(applied.size(), 7u) << up.output;
  for (const auto& step : applied) {
    EXPECT_EQ(std::to_string(step["execution_ms"].get<int>()),
              Scalar("SELECT execution_ms FROM pgstack.schema_history WHERE version = '" +
                     step["version"].get<std::string>() + "'"))
        << step;
  }
}

// Every key of a document and of the documents inside it.
void Keys(const json& j, std::set<std::string>& out) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      out.insert(k);
      Keys(v, out);
    }
  } else if (j.is_array()) {
    for (const auto& v : j) Keys(v, out);
  }
}

// A migration's time is `execution_ms` in the history table, and so in every --json document of
// migrate: a script written against `status` reads `up` and `down` the same way.
TEST_F(Migrate, EveryDocumentCallsAMigrationsTimeExecutionMs) {
  WriteText(dir_ + "/0001_a.sql",
            "-- pgstack:up\ncreate table mt.a (x int);\n-- pgstack:down\ndrop table mt.a;\n");
  WriteText(dir_ + "/0002_b.sql", "-- pgstack:up\nselect 1;\n-- pgstack:down\nselect 1;\n");
  std::set<std::string> keys;
  for (std::vector<std::string> args : {std::vector<std::string>{"up", "--to", "1"},
                                        {"plan"},
                                        {"up"},
                                        {"status"},
                                        {"down"},
                                        {"validate"}}) {
    args.insert(args.begin(), {"--json", "migrate", "--dir", dir_});
    auto out = TestStack::Shared().Pgstack(args, {}, Capture::kStdoutOnly);
    ASSERT_EQ(out.exit_code, 0) << args[4] << ": " << out.output;
    json doc = json::parse(out.output, nullptr, false);  // exactly one document: no trailing text
    ASSERT_FALSE(doc.is_discarded()) << out.output;
    Keys(doc, keys);
  }
  EXPECT_TRUE(keys.count("execution_ms"));
  for (const std::string& k : keys) {
    EXPECT_NE(k, "ms") << "a migration's time is execution_ms";
    EXPECT_NE(k, "duration_ms");
  }
}

TEST_F(Migrate, AFailedUpSaysWhatItAppliedBeforeTheError) {
  WriteText(dir_ + "/0001_a.sql", "-- pgstack:up\ncreate table mt.a (x int);\n");
  WriteText(dir_ + "/0002_b.sql", "-- pgstack:up\ncreate table mt.b (x int);\n");
  WriteText(dir_ + "/0003_c.sql", "-- pgstack:up\nselect 1;\nselect 1/0;\n");
  auto text = Run({"up", "--dir", dir_});
  EXPECT_EQ(text.exit_code, 1) << text.output;
  EXPECT_NE(text.output.find("applied 1 a"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("applied 2 b"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("0003_c.sql"), std::string::npos) << text.output;
  EXPECT_EQ(HistoryRows(), 2);

  SetUp();
  WriteText(dir_ + "/0001_a.sql", "-- pgstack:up\ncreate table mt.a (x int);\n");
  WriteText(dir_ + "/0002_c.sql", "-- pgstack:up\nselect 1/0;\n");
  auto js = TestStack::Shared().Pgstack({"--json", "migrate", "up", "--dir", dir_}, {},
                                        Capture::kStdoutOnly);
  EXPECT_EQ(js.exit_code, 1) << js.output;
  json doc = Document(js);
  ASSERT_TRUE(doc.contains("error")) << js.output;
  ASSERT_EQ(doc["applied"].size(), 1u) << js.output;
  EXPECT_EQ(doc["applied"][0]["version"], "1");
}

// A run-time error carries no position in the text: the message still names the line and
// column where the statement that failed starts, in a batch of files, in a file of several
// statements, and in a file that runs outside a transaction.
TEST_F(Migrate, ARunTimeErrorWithoutAPositionNamesItsStatementsLineAndColumn) {
  WriteText(dir_ + "/0001_a.sql", "-- pgstack:up\ncreate table mt.a (x int primary key);\n");
  WriteText(dir_ + "/0002_b.sql",
            "-- pgstack:up\ninsert into mt.a values (1);\nselect 1;\n  insert into mt.a values "
            "(1);\nselect 2;\n");
  auto dup = Run({"up", "--dir", dir_});
  EXPECT_EQ(dup.exit_code, 1) << dup.output;
  EXPECT_NE(dup.output.find("0002_b.sql:4:3: duplicate key value"), std::string::npos)
      << dup.output;

  SetUp();
  WriteText(dir_ + "/0001_z.sql",
            "-- pgstack:up\nselect 1;\ndo $$ begin\n  raise exception 'no';\nend $$;\n"
            "select 1/0;\n");
  auto raised = Run({"up", "--dir", dir_});
  EXPECT_EQ(raised.exit_code, 1) << raised.output;
  EXPECT_NE(raised.output.find("0001_z.sql:3:1: no"), std::string::npos) << raised.output;

  SetUp();
  WriteText(dir_ + "/0001_n.sql", "-- pgstack:up no-transaction\nselect 1;\n\nselect 1/0;\n");
  auto bare = Run({"up", "--dir", dir_});
  EXPECT_EQ(bare.exit_code, 1) << bare.output;
  EXPECT_NE(bare.output.find("0001_n.sql:4:1: division by zero"), std::string::npos) << bare.output;
}

TEST_F(Migrate, AScaffoldedEmptyFileBlocksNeitherStatusNorPlanNorNewButUpRefusesIt) {
  auto first = Run({"new", "add_a", "--dir", dir_});
  ASSERT_EQ(first.exit_code, 0) << first.output;
  auto second = Run({"new", "add_b", "--dir", dir_});
  ASSERT_EQ(second.exit_code, 0) << second.output;
  auto status = Run({"status", "--dir", dir_});
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find("empty"), std::string::npos) << status.output;
  auto plan = Run({"plan", "--dir", dir_});
  EXPECT_EQ(plan.exit_code, 0) << plan.output;
  auto up = Run({"up", "--dir", dir_});
  EXPECT_EQ(up.exit_code, 2) << up.output;
  EXPECT_NE(up.output.find("_add_a.sql"), std::string::npos) << up.output;
  EXPECT_NE(up.output.find("empty migration"), std::string::npos) << up.output;
  EXPECT_EQ(HistoryRows(), -1) << "up refused before changing anything";
}

TEST_F(Migrate, AFlywayPlaceholderWithoutValueBlocksNotStatusButUpNamingEveryFile) {
  WriteText(dir_ + "/V1__a.sql", "CREATE TABLE mt.a (id int);\n");
  for (const char* uses : {"V2__b.sql", "V3__c.sql"})
    WriteText(dir_ + "/" + uses, "CREATE TABLE mt.${tenant}_t (id int);\n");
  auto status = Run({"status", "--dir", dir_});
  EXPECT_EQ(status.exit_code, 0) << status.output;
  for (const char* said : {"3 pending", "V2__b.sql:1:17: no value", "V3__c.sql:1:17: no value"})
    EXPECT_NE(status.output.find(said), std::string::npos) << status.output;
  json st = StatusJson(dir_);
  ASSERT_EQ(st["pending"].size(), 3u) << st.dump();
  EXPECT_FALSE(st["pending"][0].contains("unreadable")) << st.dump();
  EXPECT_EQ(st["pending"][2]["unreadable"].size(), 1u) << st.dump();
  auto up = Run({"up", "--dir", dir_});
  EXPECT_EQ(up.exit_code, 2) << up.output;
  for (const char* named : {"V2__b.sql:1:17", "V3__c.sql:1:17"})
    EXPECT_NE(up.output.find(named), std::string::npos) << up.output;
  EXPECT_EQ(HistoryRows(), -1) << "up refused before changing anything";
}

TEST_F(Migrate, DownToZeroRevertsEverythingVersionZeroIncluded) {
  WriteText(dir_ + "/0000_zero.sql",
            "-- pgstack:up\ncreate table mt.z (x int);\n-- pgstack:down\ndrop table mt.z;\n");
  WriteText(dir_ + "/0001_a.sql",
            "-- pgstack:up\ncreate table mt.a (x int);\n-- pgstack:down\ndrop table mt.a;\n");
  ASSERT_EQ(Run({"up", "--dir", dir_}).exit_code, 0);
  auto down = Run({"down", "--to", "0", "--dir", dir_});
  ASSERT_EQ(down.exit_code, 0) << down.output;
  EXPECT_EQ(HistoryRows(), 0);
  EXPECT_EQ(Scalar("SELECT to_regclass('mt.z') IS NULL"), "t");
}

TEST_F(Migrate, NeverAppliedUnlessItsHistoryRowCommitted) {
  // libpq sends the text up to the NUL: the transaction would stay open, uncommitted. Whether
  // the reader refuses the file or the run finds the transaction open, nothing is "applied".
  WriteText(dir_ + "/0001_nul.sql",
            std::string("-- pgstack:up\ncreate table mt.nul (x int);\0\nselect 1;\n", 54));
  auto up = Run({"up", "--dir", dir_});
  EXPECT_NE(up.exit_code, 0) << up.output;
  EXPECT_EQ(up.output.find("applied 1"), std::string::npos) << up.output;
  EXPECT_EQ(Scalar("SELECT to_regclass('mt.nul') IS NULL"), "t");
  EXPECT_LE(HistoryRows(), 0);
}

}  // namespace
}  // namespace pgstack::testing
