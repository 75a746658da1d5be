#include "pgstack/pg/query_result.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <string>

namespace pgstack::pg {

QueryResult::QueryResult(pg_result* res) : res_(res) {}
void QueryResult::Clear::operator()(pg_result* r) const { PQclear(r); }

int QueryResult::rows() const { return res_ ? PQntuples(res_.get()) : 0; }
int QueryResult::columns() const { return res_ ? PQnfields(res_.get()) : 0; }
std::string_view QueryResult::column_name(int col) const { return PQfname(res_.get(), col); }
bool QueryResult::is_null(int row, int col) const { return PQgetisnull(res_.get(), row, col); }

std::string_view QueryResult::get(int row, int col) const {
  return {PQgetvalue(res_.get(), row, col), static_cast<size_t>(PQgetlength(res_.get(), row, col))};
}

std::string_view QueryResult::command() const { return res_ ? PQcmdStatus(res_.get()) : ""; }

int QueryResult::column(std::string_view name) const {
  for (int c = 0; c < columns(); ++c) {
    if (name == PQfname(res_.get(), c)) return c;
  }
  return -1;
}

std::string_view QueryResult::get(int row, std::string_view name) const {
  int c = column(name);
  if (c < 0 || is_null(row, c)) return "";
  return get(row, c);
}

std::optional<std::string> QueryResult::get_opt(int row, int col) const {
  if (is_null(row, col)) return std::nullopt;
  return std::string(get(row, col));
}

std::string QueryResult::scalar() const {
  if (rows() == 0 || columns() == 0) return "";
  return std::string(get(0, 0));
}

long long QueryResult::affected() const {
  if (!res_) return 0;
  const char* n = PQcmdTuples(res_.get());
  return (n && *n) ? std::atoll(n) : 0;
}

}  // namespace pgstack::pg
