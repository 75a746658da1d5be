#include "pgstack/testdb/api.h"

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "pgstack/testdb/names.h"
#include "pgstack/testdb/outcome.h"

namespace pgstack::testdb {
namespace {

using nlohmann::json;

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    if (path[0] == '/') {
      path.remove_prefix(1);
      continue;
    }
    size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash);
  }
  return out;
}

HttpResponse Json(int status, const json& doc) {
  return HttpResponse{status, doc.dump(-1, ' ', false, json::error_handler_t::replace) + "\n"};
}

HttpResponse NoContent() { return HttpResponse{204, ""}; }

HttpResponse FromStatus(Service& s, const Status& st) {
  Status explained = s.Explain(st);
  return ErrorResponse(HttpStatusOf(OutcomeOf(explained)), explained.message());
}

HttpResponse PostTemplate(Service& s, const HttpRequest& req) {
  json body = req.body.empty() ? json::object() : json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return ErrorResponse(400, "the body must be a JSON object: {\"hash\": \"...\"}");
  }
  auto it = body.find("hash");
  if (it == body.end() || !it->is_string() || it->get<std::string>().empty()) {
    return ErrorResponse(400, "hash is required");
  }
  std::string hash = it->get<std::string>();
  auto where = s.InitializeTemplate(hash);
  if (!where.ok()) return FromStatus(s, where.status());
  return Json(200, json{{"database", DatabaseJson(hash, *where)}});
}

HttpResponse GetTest(Service& s, const std::string& hash) {
  auto t = s.GetTestDatabase(hash);
  if (!t.ok()) return FromStatus(s, t.status());
  return Json(200, json{{"database", DatabaseJson(hash, s.ConnFor(*t))}, {"id", t->id}});
}

HttpResponse OnTest(Service& s, const std::string& hash, std::string_view id_text,
                    std::string_view action) {
  std::optional<int64_t> id = ParseTestId(id_text);
  if (!id) return ErrorResponse(400, "invalid test database ID");
  Status st = action == "recreate" ? s.RecreateTestDatabase(hash, *id, false)
                                   : s.UnlockTestDatabase(hash, *id);
  return st.ok() ? NoContent() : FromStatus(s, st);
}

}  // namespace

json DatabaseJson(const std::string& hash, const pg::ConnParams& p) {
  return json{{"templateHash", hash},
              {"config",
               {{"host", p.host},
                {"port", p.port},
                {"username", p.user},
                {"password", p.password},
                {"database", p.dbname}}}};
}

HttpResponse HandleApi(Service& s, const HttpRequest& req) {
  std::vector<std::string_view> seg = Segments(req.path());
  const std::string& m = req.method;
  auto not_allowed = [] { return ErrorResponse(405, "Method Not Allowed"); };
  if (seg.size() < 3 || seg[0] != "api" || seg[1] != "v1") return ErrorResponse(404, "Not Found");
  if (seg[2] == "admin") {
    if (seg.size() != 4 || seg[3] != "templates") return ErrorResponse(404, "Not Found");
    if (m != "DELETE") return not_allowed();
    Status st = s.ResetAll();
    return st.ok() ? NoContent() : FromStatus(s, st);
  }
  if (seg[2] != "templates") return ErrorResponse(404, "Not Found");
  if (seg.size() == 3) return m == "POST" ? PostTemplate(s, req) : not_allowed();
  std::string hash(seg[3]);
  if (Status v = ValidateHash(hash); !v.ok()) return ErrorResponse(400, v.message());
  if (seg.size() == 4) {
    Status st;
    if (m == "PUT") {
      st = s.FinalizeTemplate(hash);
    } else if (m == "DELETE") {
      st = s.DiscardTemplate(hash);
    } else {
      return not_allowed();
    }
    return st.ok() ? NoContent() : FromStatus(s, st);
  }
  if (seg[4] != "tests") return ErrorResponse(404, "Not Found");
  if (seg.size() == 5) return m == "GET" ? GetTest(s, hash) : not_allowed();
  if (seg.size() == 6) return m == "DELETE" ? OnTest(s, hash, seg[5], "unlock") : not_allowed();
  if (seg.size() == 7 && (seg[6] == "unlock" || seg[6] == "recreate")) {
    return m == "POST" ? OnTest(s, hash, seg[5], seg[6]) : not_allowed();
  }
  return ErrorResponse(404, "Not Found");
}

}  // namespace pgstack::testdb
