// status --json written as it goes is byte for byte the document nlohmann would dump: rows with
// quotes, control characters, non-ASCII and invalid UTF-8, no rows, and nested pending entries.
#include <gtest/gtest.h>

#include "pgstack/migrate/status_json.h"

namespace pgstack::migrate {
namespace {

using nlohmann::json;

// The document as the command built it before: values first, then dump(2).
std::string Dumped(const std::vector<AppliedEntry>& applied, const std::string& dir,
                   const std::string& format, const json& pending, const json& problems) {
  json rows = json::array();
  for (const AppliedEntry& a : applied) {
    rows.push_back({{"version", a.row->version},
                    {"name", a.row->name},
                    {"kind", a.row->kind},
                    {"applied_at", a.row->applied_at},
                    {"applied_by", a.row->applied_by},
                    {"execution_ms", a.row->execution_ms},
                    {"checksum", a.row->checksum}});
  }
  json doc = {{"dir", dir},
              {"format", format},
              {"applied", rows},
              {"pending", pending},
              {"problems", problems}};
  return doc.dump(2, ' ', false, json::error_handler_t::replace);
}

std::string Streamed(const std::vector<AppliedEntry>& applied, const std::string& dir,
                     const std::string& format, const json& pending, const json& problems) {
  std::string out = "kept: ";
  AppendStatusJson(out, applied, dir, format, pending, problems);
  EXPECT_TRUE(out.starts_with("kept: "));
  return out.substr(6);
}

TEST(StatusJson, IsWhatDumpingTheDocumentPrinted) {
  std::vector<HistoryRow> rows = {
      {.version = "1",
       .name = "plain",
       .kind = "versioned",
       .checksum = "abc",
       .applied_at = "2026-12-04T23:11:41.137Z",
       .applied_by = "root@vm",
       .execution_ms = 12},
      {.version = "20240101",
       .name = "quote\"back\\slash\ttab\nline\x01\x1f\x7f",
       .kind = "r",
       .checksum = "",
       .applied_at = "",
       .applied_by = "caf\xc3\xa9 \xe2\x82\xac",
       .execution_ms = -3},
      {.version = "3", .name = "bad \xff\xfe utf8 \xc3", .kind = "\xe2\x82", .checksum = "x"},
  };
  std::vector<AppliedEntry> applied;
  for (const HistoryRow& r : rows) applied.push_back({&r, nullptr});
  json pending =
      json::array({{{"version", "4"}, {"name", "n\"x"}, {"partial", {{"statements_done", 1}}}},
                   {{"version", "5"}, {"unreadable", json::array({"a", "b"})}, {"empty", true}}});
  json problems = json::array({{{"kind", "missing"}, {"detail", "\x02"}}});
  EXPECT_EQ(Streamed(applied, "db/migrations\"", "dbmate", pending, problems),
            Dumped(applied, "db/migrations\"", "dbmate", pending, problems));
  EXPECT_EQ(Streamed({}, "d", "pgstack", json::array(), json::array()),
            Dumped({}, "d", "pgstack", json::array(), json::array()));
  EXPECT_EQ(Streamed({applied[0]}, "d", "sqlx", json::array(), problems),
            Dumped({applied[0]}, "d", "sqlx", json::array(), problems));
}

}  // namespace
}  // namespace pgstack::migrate
