// Reading libpg_query's JSON parse trees for the linter: a field that is absent (libpg_query
// leaves out fields at their default value) reads as empty, false or a null node, never throws.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgstack::migrate::internal {

// j[key], or a null node when j is no object or has no such field.
const nlohmann::json& At(const nlohmann::json& j, std::string_view key);
// j[key] as a string, "" when it is none.
std::string Str(const nlohmann::json& j, std::string_view key);
// j[key] as a boolean, false when it is none.
bool Flag(const nlohmann::json& j, std::string_view key);
// The one node inside a wrapper {"Kind": {...}}: its kind and body ("" and a null node when j
// is no wrapper).
std::pair<std::string, const nlohmann::json*> Node(const nlohmann::json& j);
// The body of j when it is a node of `kind`, else a null node.
const nlohmann::json& Body(const nlohmann::json& j, std::string_view kind);
// The items of the array field j[key] (empty when absent).
const nlohmann::json& List(const nlohmann::json& j, std::string_view key);
// The text of a {"String": {"sval": ...}} node, "" for any other.
std::string StringNode(const nlohmann::json& j);

// A column's type as written.
struct ColumnType {
  std::string name;  // last part of the name: int4, varchar, text, serial, ...
  std::vector<long> mods;

  std::string Text() const;  // "varchar(40)", "numeric(8,2)", "int4"
};

// The type a TypeName node names.
ColumnType TypeOf(const nlohmann::json& type_name);
// serial and its aliases: a column filled from a sequence it owns.
bool IsSerial(const ColumnType& t);
// Whether a column of this name is a key by its name (id, *_id).
bool IsKeyColumnName(const std::string& name);

}  // namespace pgstack::migrate::internal
