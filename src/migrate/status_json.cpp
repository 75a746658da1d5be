#include "pgstack/migrate/status_json.h"

#include <fmt/format.h>

#include <algorithm>

namespace pgstack::migrate {
namespace {

using Json = nlohmann::json;
using Serializer = nlohmann::detail::serializer<Json>;

// Writes into one string through one serializer, at the indentation dump(2) would use.
class StatusWriter {
 public:
  explicit StatusWriter(std::string& out)
      : out_(out),
        s_(nlohmann::detail::output_adapter<char>(out), ' ', Json::error_handler_t::replace) {}

  // "key": at `indent` spaces, after the separator that ends the entry before it.
  void Key(int indent, std::string_view key, bool first) {
    out_ += first ? "\n" : ",\n";
    out_.append(static_cast<size_t>(indent), ' ');
    out_ += '"';
    out_ += key;
    out_ += "\": ";
  }
  // Printable ASCII with no quote or backslash, nearly every value here, is its own text;
  // anything else goes through nlohmann (escapes, UTF-8 checked, bad bytes replaced).
  void String(const std::string& value) {
    bool plain = std::all_of(value.begin(), value.end(), [](char c) {
      return c >= 0x20 && c != '"' && c != '\\';  // a char of 0x80 or above is negative
    });
    if (!plain) {
      s_.dump(Json(value), false, false, 0);
      return;
    }
    out_ += '"';
    out_ += value;
    out_ += '"';
  }
  void Value(const Json& value, int indent) {
    s_.dump(value, true, false, 2, static_cast<unsigned>(indent));
  }

  void Applied(const std::vector<AppliedEntry>& applied) {
    if (applied.empty()) {
      out_ += "[]";
      return;
    }
    out_ += '[';
    for (size_t i = 0; i < applied.size(); ++i) {
      const HistoryRow& row = *applied[i].row;
      out_ += i == 0 ? "\n    {" : ",\n    {";
      Key(6, "applied_at", true);
      String(row.applied_at);
      Key(6, "applied_by", false);
      String(row.applied_by);
      Key(6, "checksum", false);
      String(row.checksum);
      Key(6, "execution_ms", false);
      fmt::format_to(std::back_inserter(out_), "{}", row.execution_ms);
      Key(6, "kind", false);
      String(row.kind);
      Key(6, "name", false);
      String(row.name);
      Key(6, "version", false);
      String(row.version);
      out_ += "\n    }";
    }
    out_ += "\n  ]";
  }

 private:
  std::string& out_;
  Serializer s_;
};

}  // namespace

void AppendStatusJson(std::string& out, const std::vector<AppliedEntry>& applied,
                      const std::string& dir, std::string_view format, const Json& pending,
                      const Json& problems) {
  StatusWriter w(out);
  out += '{';
  w.Key(2, "applied", true);
  w.Applied(applied);
  w.Key(2, "dir", false);
  w.String(dir);
  w.Key(2, "format", false);
  w.String(std::string(format));
  w.Key(2, "pending", false);
  w.Value(pending, 2);
  w.Key(2, "problems", false);
  w.Value(problems, 2);
  out += "\n}";
}

}  // namespace pgstack::migrate
