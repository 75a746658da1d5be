#include "env_format.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "pgstack/core/nearest.h"

namespace pgstack::cli {
namespace {

// fish's single quotes: only \\ and \' are escapes inside them.
std::string FishQuote(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

constexpr std::pair<EnvFormat, std::string_view> kEnvFormats[] = {
    {EnvFormat::kSh, "sh"},
    {EnvFormat::kFish, "fish"},
    {EnvFormat::kDotenv, "dotenv"},
    {EnvFormat::kJson, "json"},
};

}  // namespace

std::string_view EnvFormatName(EnvFormat f) {
  for (const auto& [format, name] : kEnvFormats) {
    if (format == f) return name;
  }
  return "";
}

Result<EnvFormat> ParseEnvFormat(std::string_view flag, std::string_view text) {
  for (const auto& [format, name] : kEnvFormats) {
    if (text == name) return format;
  }
  return Status::InvalidInput(core::UnknownChoice(flag, text, EnvFormatNames()));
}

std::vector<std::string> EnvFormatNames() {
  std::vector<std::string> out;
  for (const auto& [format, name] : kEnvFormats) out.emplace_back(name);
  return out;
}

std::string ShellQuote(const std::string& v) {
  std::string out = "'";
  for (char c : v) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

Result<std::string> FormatSet(const EnvVars& vars, EnvFormat f) {
  if (f == EnvFormat::kJson) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, v] : vars) j[k] = v;
    return j.dump(2) + "\n";
  }
  std::string out;
  for (const auto& [k, v] : vars) {
    switch (f) {
      case EnvFormat::kSh:
        out += fmt::format("export {}={}\n", k, ShellQuote(v));
        break;
      case EnvFormat::kFish:
        out += fmt::format("set -gx {} {}\n", k, FishQuote(v));
        break;
      default:
        if (v.find_first_of("\r\n") != std::string::npos) {
          return Status::InvalidInput(
              fmt::format("--format dotenv: the value of {} holds a line break", k));
        }
        out += fmt::format("{}={}\n", k, v);
    }
  }
  return out;
}

Result<std::string> FormatUnset(const std::vector<std::string>& names, EnvFormat f) {
  std::string out;
  switch (f) {
    case EnvFormat::kSh:
      out = "unset";
      for (const auto& n : names) out += " " + n;
      return out + "\n";
    case EnvFormat::kFish:
      for (const auto& n : names) out += "set -e " + n + "\n";
      return out;
    case EnvFormat::kJson:
      return nlohmann::json{{"unset", names}}.dump(2) + "\n";
    default:
      return Status::InvalidInput("--unset: a dotenv file cannot unset variables");
  }
}

}  // namespace pgstack::cli
