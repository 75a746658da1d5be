#include "lint_tree.h"

#include <fmt/format.h>

namespace pgstack::migrate::internal {

using nlohmann::json;

namespace {
const json kNothing;
}  // namespace

const json& At(const json& j, std::string_view key) {
  if (!j.is_object()) return kNothing;
  auto it = j.find(key);
  return it == j.end() ? kNothing : *it;
}

std::string Str(const json& j, std::string_view key) {
  const json& v = At(j, key);
  return v.is_string() ? v.get<std::string>() : "";
}

bool Flag(const json& j, std::string_view key) {
  const json& v = At(j, key);
  return v.is_boolean() && v.get<bool>();
}

std::pair<std::string, const json*> Node(const json& j) {
  if (!j.is_object() || j.size() != 1) return {"", &kNothing};
  return {j.begin().key(), &j.begin().value()};
}

const json& Body(const json& j, std::string_view kind) {
  auto [k, body] = Node(j);
  return k == kind ? *body : kNothing;
}

const json& List(const json& j, std::string_view key) {
  static const json kEmpty = json::array();
  const json& v = At(j, key);
  return v.is_array() ? v : kEmpty;
}

std::string StringNode(const json& j) { return Str(Body(j, "String"), "sval"); }

std::string ColumnType::Text() const {
  std::string out = name;
  for (size_t i = 0; i < mods.size(); ++i) out += fmt::format("{}{}", i ? "," : "(", mods[i]);
  return mods.empty() ? out : out + ")";
}

ColumnType TypeOf(const json& type_name) {
  ColumnType t;
  for (const json& n : List(type_name, "names")) t.name = StringNode(n);
  for (const json& m : List(type_name, "typmods")) {
    const json& c = Body(m, "A_Const");
    t.mods.push_back(At(At(c, "ival"), "ival").is_number() ? At(At(c, "ival"), "ival").get<long>()
                                                           : 0);
  }
  return t;
}

bool IsSerial(const ColumnType& t) {
  return t.name == "serial" || t.name == "bigserial" || t.name == "smallserial" ||
         t.name == "serial4" || t.name == "serial8" || t.name == "serial2";
}

bool IsKeyColumnName(const std::string& name) {
  return name == "id" || (name.size() > 3 && name.compare(name.size() - 3, 3, "_id") == 0);
}

}  // namespace pgstack::migrate::internal
