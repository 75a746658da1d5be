// The machine forms of a lint report: pgstack's JSON and SARIF 2.1.0.
#include "pgstack/migrate/lint.h"

namespace pgstack::migrate {

using nlohmann::json;

json LintJson(const LintReport& report) {
  json findings = json::array();
  for (const Finding& f : report.findings) {
    findings.push_back({{"rule", f.rule},
                        {"severity", SeverityName(f.severity)},
                        {"file", f.file},
                        {"line", f.line},
                        {"column", f.column},
                        {"message", f.message},
                        {"fix", f.fix}});
  }
  return {{"findings", std::move(findings)}, {"files", report.files}};
}

json LintSarif(const LintReport& report) {
  // SARIF's levels are note/warning/error.
  auto level = [](Severity s) {
    return s == Severity::kError ? "error" : s == Severity::kWarning ? "warning" : "note";
  };
  json rules = json::array();
  for (const LintRule& r : LintRules()) {
    rules.push_back(
        {{"id", r.id},
         {"shortDescription", {{"text", r.summary}}},
         {"fullDescription", {{"text", std::string("PostgreSQL 17 ") + std::string(r.postgres)}}},
         {"help", {{"text", r.fix}}},
         {"defaultConfiguration", {{"level", level(r.severity)}}}});
  }
  json results = json::array();
  for (const Finding& f : report.findings) {
    results.push_back({{"ruleId", f.rule},
                       {"level", level(f.severity)},
                       {"message", {{"text", f.message + ". Fix: " + f.fix}}},
                       {"locations",
                        {{{"physicalLocation",
                           {{"artifactLocation", {{"uri", f.file}}},
                            {"region", {{"startLine", f.line}, {"startColumn", f.column}}}}}}}}});
  }
  return {
      {"version", "2.1.0"},
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"runs",
       {{{"tool", {{"driver", {{"name", "pgstack migrate lint"}, {"rules", std::move(rules)}}}}},
         {"results", std::move(results)}}}}};
}

}  // namespace pgstack::migrate
