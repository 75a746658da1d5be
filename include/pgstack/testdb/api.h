// IntegreSQL's HTTP API v1 on top of Service, route for route, so that IntegreSQL's clients
// (Go, Node, Python, .NET, Java, Rust) work unchanged:
//
//   POST   /api/v1/templates                      {"hash"} -> 200 template | 400 | 423 | 503
//   PUT    /api/v1/templates/:hash                -> 204 | 404 | 410 | 423 | 503
//   DELETE /api/v1/templates/:hash                -> 204 | 404 | 410 | 423 | 503
//   GET    /api/v1/templates/:hash/tests          -> 200 test | 404 | 410 | 503
//   POST   /api/v1/templates/:hash/tests/:id/unlock    -> 204 | 400 | 404 | 410 | 423 | 503
//   POST   /api/v1/templates/:hash/tests/:id/recreate  -> 204 | 400 | 404 | 410 | 503
//   DELETE /api/v1/templates/:hash/tests/:id      -> as unlock (deprecated in IntegreSQL 1.1)
//   DELETE /api/v1/admin/templates                -> 204: every template and test database
//
// Bodies: {"database": {"templateHash", "config": {"host", "port", "username", "password",
// "database"}}}, plus "id" for a test database; errors {"message"}. A trailing slash is
// ignored, as IntegreSQL's server does.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "pgstack/pg/conn_params.h"
#include "pgstack/testdb/http_request.h"
#include "pgstack/testdb/http_response.h"
#include "pgstack/testdb/service.h"

namespace pgstack::testdb {

HttpResponse HandleApi(Service& service, const HttpRequest& request);

// A body's "database": {"templateHash", "config": {"host", "port", "username", "password",
// "database"}}, as IntegreSQL writes it; `pgstack testdb get --json` prints the same keys.
nlohmann::json DatabaseJson(const std::string& hash, const pg::ConnParams& where);

}  // namespace pgstack::testdb
