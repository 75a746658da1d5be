#include "pgstack/bench/workload.h"

#include <fmt/format.h>

#include "pgstack/bench/documents.h"

namespace pgstack::bench {

Result<Workload> MakeWorkload(WorkloadKind kind, const std::string& sql, const std::string& s) {
  Workload w;
  w.kind = kind;
  std::vector<std::string> statements;
  std::vector<ScriptVar> vars;
  std::vector<std::string> tables;
  const std::string accounts = s + ".accounts";
  const std::string create_accounts = fmt::format(
      "CREATE TABLE {0} (id int PRIMARY KEY, balance int NOT NULL, filler char(84));"
      "INSERT INTO {0} SELECT i, 0, '' FROM generate_series(1, {1}) AS i; ANALYZE {0}",
      accounts, kAccountRows);
  switch (kind) {
    case WorkloadKind::kSelect:
      w.description = fmt::format("a keyed single-row SELECT on a {}-row table", kAccountRows);
      w.setup = {create_accounts};
      statements = {"SELECT balance FROM " + accounts + " WHERE id = :id"};
      vars = {{"id", 1, kAccountRows}};
      break;
    case WorkloadKind::kWrite:
      w.description = "a small read-write transaction: BEGIN, UPDATE, SELECT, INSERT, COMMIT";
      w.setup = {create_accounts,
                 fmt::format("CREATE TABLE {}.history (account_id int NOT NULL, delta int NOT "
                             "NULL, at timestamptz NOT NULL DEFAULT now())",
                             s)};
      statements = {
          "BEGIN", "UPDATE " + accounts + " SET balance = balance + :delta WHERE id = :id",
          "SELECT balance FROM " + accounts + " WHERE id = :id",
          "INSERT INTO " + s + ".history (account_id, delta) VALUES (:id, :delta)", "COMMIT"};
      vars = {{"id", 1, kAccountRows}, {"delta", -5000, 5000}};
      break;
    case WorkloadKind::kJsonb: {
      const std::string results = s + ".results";
      w.description =
          fmt::format("the JSONB containment query (@>, GIN jsonb_path_ops) on {} test results",
                      kJsonbWorkloadRows);
      w.setup = {CreateDocumentsTableSql(results), InsertDocumentsSql(results, kJsonbWorkloadRows),
                 fmt::format("CREATE INDEX ON {} USING gin (doc jsonb_path_ops)", results),
                 "ANALYZE " + results};
      statements = {"SELECT count(*) FROM " + results +
                    " WHERE doc @> '{\"suite\": \"suite_:suite\", \"status\": \"failed\"}'"};
      vars = {{"suite", 1, kSuites}};
      break;
    }
    case WorkloadKind::kCustomSql:
      w.description = "the statement given with --sql";
      statements = {sql};
      break;
  }
  PGSTACK_ASSIGN_OR_RETURN(w.script, Script::Make(statements, vars));
  return w;
}

}  // namespace pgstack::bench
