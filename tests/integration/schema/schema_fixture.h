// A database of its own per test on the shared stack, and what the schema tests do with it.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "fixture.h"
#include "pgstack/migrate/catalog.h"
#include "pgstack/migrate/dump.h"
#include "pgstack/migrate/schema_source.h"

namespace pgstack::testing {

class SchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir("schema");
    db_ = "schema_" + std::to_string(getpid()) + "_" + std::to_string(counter_++);
    auto su = TestStack::Shared().Superuser();
    ASSERT_TRUE(su.ok()) << su.status().message();
    ASSERT_TRUE(su->Run("CREATE DATABASE " + db_ + " TEMPLATE template0").ok());
    auto c = Db();
    ASSERT_TRUE(c.ok()) << c.status().message();
    for (const auto& e : TestStack::Shared().env().postgres.extensions) {
      ASSERT_TRUE(c->Run("CREATE EXTENSION IF NOT EXISTS " + e).ok()) << e;
    }
  }
  void TearDown() override {
    auto su = TestStack::Shared().Superuser();
    if (su.ok()) (void)su->Run("DROP DATABASE IF EXISTS " + db_ + " WITH (FORCE)");
  }
  pg::ConnParams DbParams() const {
    pg::ConnParams p = TestStack::Shared().endpoints().superuser;
    p.dbname = db_;
    return p;
  }
  Result<pg::Connection> Db() const { return pg::Connection::Open(DbParams()); }
  std::string Url() const { return pg::ToUrl(DbParams(), pg::Redact::kNo); }
  void Sql(const std::string& sql) {
    auto c = Db();
    ASSERT_TRUE(c.ok());
    Status s = c->Run(sql);
    ASSERT_TRUE(s.ok()) << s.message();
  }
  // The one value a query returns ("" and a failure when it fails).
  std::string Value(const std::string& sql) {
    auto c = Db();
    EXPECT_TRUE(c.ok()) << c.status().message();
    auto r = c.ok() ? c->Exec(sql) : Result<pg::QueryResult>(c.status());
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? std::string(r->scalar()) : "";
  }
  void Load(const std::string& path) { Sql(ReadText(path)); }
  // Sources read on the shared stack's server, with the migrations of dir_.
  migrate::SourceOptions Sources() const {
    const TestStack& st = TestStack::Shared();
    return {.scratch = {.superuser = st.endpoints().superuser,
                        .target_db = db_,
                        .extensions = st.env().postgres.extensions},
            .dir = dir_};
  }
  migrate::SchemaSource UrlSource() const { return {migrate::SchemaSource::Kind::kUrl, Url()}; }
  std::string DumpOf(const migrate::SchemaSource& s) {
    auto c = migrate::ReadSource(s, Sources());
    EXPECT_TRUE(c.ok()) << c.status().message();
    return c.ok() ? migrate::DumpSql(*c) : "";
  }
  // Dumps the database into a folder through the binary; the folder reads back as the same.
  std::string DumpFolderThatReadsBack() {
    std::string folder = dir_ + "/schema";
    auto w = Pgstack({"dump", "--from", Url(), "--out", folder});
    EXPECT_EQ(w.exit_code, 0) << w.output;
    std::string whole = DumpOf({migrate::SchemaSource::Kind::kUrl, Url()});
    EXPECT_EQ(DumpOf({migrate::SchemaSource::Kind::kSqlFolder, folder}), whole);
    return folder;
  }
  int Databases() {
    auto su = TestStack::Shared().Superuser();
    return su.ok() ? std::stoi(su->Exec("SELECT count(*) FROM pg_database")->scalar()) : -1;
  }
  core::CommandOutput Pgstack(std::vector<std::string> args) {
    args.insert(args.begin(), {"migrate", "--dir", dir_});
    return TestStack::Shared().Pgstack(args, {}, Capture::kStdoutOnly);
  }

  static inline int counter_ = 0;
  std::string dir_;
  std::string db_;
};

}  // namespace pgstack::testing
