// A move-only owner of a PGresult. Values are read as text (the simple and unnamed-statement
// protocols pgstack uses return text), by column index or by column name.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "pgstack/core/parse_int.h"
#include "pgstack/core/status.h"

struct pg_result;  // libpq's PGresult: libpq itself stays private to src/pg

namespace pgstack::pg {

class QueryResult {
 public:
  QueryResult() = default;
  explicit QueryResult(pg_result* res);

  int rows() const;
  int columns() const;
  // Column index by name, -1 when the result has no such column.
  int column(std::string_view name) const;
  std::string_view column_name(int col) const;
  bool is_null(int row, int col) const;
  std::string_view get(int row, int col) const;
  // By column name; "" when the column is missing or the value NULL.
  std::string_view get(int row, std::string_view name) const;
  std::optional<std::string> get_opt(int row, int col) const;
  // A whole number (int or long long): an error naming the column when the server's text is not
  // one, instead of std::stoi's exception.
  template <typename T>
  Result<T> get_int(int row, int col) const {
    return core::ParseInt<T>(get(row, col), column_name(col));
  }
  // The first column of the first row, "" when there is none.
  std::string scalar() const;
  // Rows affected by INSERT/UPDATE/DELETE/...; 0 when not applicable.
  long long affected() const;
  // The command tag ("CREATE TABLE", "INSERT 0 1", ...).
  std::string_view command() const;

 private:
  struct Clear {
    void operator()(pg_result* r) const;
  };
  std::unique_ptr<pg_result, Clear> res_;
};

}  // namespace pgstack::pg
