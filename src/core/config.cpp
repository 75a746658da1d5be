#include "pgstack/core/config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "pgstack/core/files.h"
#include "pgstack/core/nearest.h"

namespace pgstack::core {
namespace {

using json = nlohmann::json;

// Position of a byte offset as "line L, column C" (1-based).
std::string LineColumn(const std::string& text, size_t byte) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return fmt::format("line {}, column {}", line, col);
}

// A parser callback that notes the first key an object has twice, as "$.path: duplicate key".
// The path is spelled only then: building it at every level made deep nesting quadratic.
json::parser_callback_t DuplicateKeyFinder(std::string* found) {
  struct Frame {
    std::set<std::string> keys;
    std::string key;  // the key this object or array is the value of ("" in an array)
  };
  auto frames = std::make_shared<std::vector<Frame>>();
  auto last_key = std::make_shared<std::string>();
  return [found, frames, last_key](int, json::parse_event_t event, json& parsed) {
    using E = json::parse_event_t;
    if (event == E::object_start || event == E::array_start) {
      frames->push_back({{}, frames->empty() ? "" : std::move(*last_key)});
      last_key->clear();
    } else if (event == E::object_end || event == E::array_end) {
      if (!frames->empty()) frames->pop_back();
      last_key->clear();
    } else if (event == E::key && !frames->empty()) {
      *last_key = parsed.get<std::string>();
      if (!frames->back().keys.insert(*last_key).second && found->empty()) {
        std::string path = "$";
        for (size_t i = 1; i < frames->size(); ++i) {
          if (!(*frames)[i].key.empty()) path += "." + (*frames)[i].key;
        }
        *found = fmt::format("{}.{}: duplicate key", path, *last_key);
      }
    } else if (event == E::value) {
      last_key->clear();
    }
    return true;
  };
}

// Walks one JSON object, reporting unknown keys and wrong types with their full path.
class Reader {
 public:
  Reader(const std::string& file) : file_(file) {}

  Status Error(const std::string& path, const std::string& what) const {
    return Status::InvalidInput(fmt::format("{}: {}: {}", file_, path, what));
  }

  Status CheckKeys(const json& obj, const std::string& path,
                   std::initializer_list<std::string_view> allowed) const {
    if (!obj.is_object()) return Error(path, "must be an object");
    for (const auto& [k, v] : obj.items()) {
      bool known = false;
      for (auto a : allowed) known = known || a == k;
      if (!known) return Error(Join(path, k), "unknown key");
    }
    return Status::Ok();
  }

  Status String(const json& obj, const std::string& path, const char* key, std::string* out) const {
    if (!obj.contains(key)) return Status::Ok();
    if (!obj[key].is_string()) return Error(Join(path, key), "must be a string");
    *out = obj[key].get<std::string>();
    return Status::Ok();
  }

  // A role, database or extension name: pgstack writes it into SQL (quoted), pgbouncer.ini and
  // the userlist, where only plain names are safe, and PostgreSQL cuts a name at 63 bytes.
  Status Name(const json& obj, const std::string& path, const char* key, std::string* out) const {
    PGSTACK_RETURN_IF_ERROR(String(obj, path, key, out));
    if (!obj.contains(key)) return Status::Ok();
    return CheckName(Join(path, key), *out);
  }
  Status CheckName(const std::string& path, const std::string& name) const {
    if (name.empty() || name.size() > 63)
      return Error(path, fmt::format("must be 1 to 63 bytes long, not {}", name.size()));
    for (unsigned char c : name) {
      if (!std::isalnum(c) && c != '_' && c != '-' && c != '.' && c != '$')
        return Error(path, "may hold only letters, digits, _ - . and $");
    }
    return Status::Ok();
  }

  // The name of an environment variable (the shell's rule), which pgstack reads, never a value.
  Status VariableName(const json& obj, const std::string& path, const char* key,
                      std::string* out) const {
    PGSTACK_RETURN_IF_ERROR(String(obj, path, key, out));
    if (!obj.contains(key)) return Status::Ok();
    bool ok = !out->empty() && !std::isdigit(static_cast<unsigned char>((*out)[0]));
    for (unsigned char c : *out) ok = ok && (std::isalnum(c) || c == '_');
    if (!ok) {
      return Error(Join(path, key),
                   "must be the name of an environment variable (letters, digits, _), not a "
                   "value");
    }
    return Status::Ok();
  }

  // A host name or address list, written into pgbouncer.ini and connection strings.
  Status Address(const json& obj, const std::string& path, const char* key,
                 std::string* out) const {
    PGSTACK_RETURN_IF_ERROR(String(obj, path, key, out));
    if (!obj.contains(key)) return Status::Ok();
    for (unsigned char c : *out) {
      if (c <= ' ' || c == '\'' || c == '"' || c == '\\' || c == 0x7f)
        return Error(Join(path, key), "must not contain spaces, quotes or control characters");
    }
    if (out->empty()) return Error(Join(path, key), "must not be empty");
    return Status::Ok();
  }

  Status Port(const json& obj, const std::string& path, const char* key, int* out) const {
    if (!obj.contains(key)) return Status::Ok();
    const json& v = obj[key];
    if (!v.is_number_integer() || v.get<long long>() < 0 || v.get<long long>() > 65535)
      return Error(Join(path, key), "must be a port number (0-65535)");
    *out = v.get<int>();
    return Status::Ok();
  }

  template <typename T>
  Status Number(const json& obj, const std::string& path, const char* key, T* out) const {
    if (!obj.contains(key)) return Status::Ok();
    const json& v = obj[key];
    if (!v.is_number() || v.get<double>() <= 0)
      return Error(Join(path, key), "must be a positive number");
    if (std::is_integral_v<T> && !v.is_number_integer())
      return Error(Join(path, key), "must be an integer");
    *out = v.get<T>();
    return Status::Ok();
  }

  // Adds the object's settings to `out`, over what an earlier layer put there.
  Status Settings(const json& obj, const std::string& path, Target target,
                  std::map<std::string, std::string>* out) const {
    if (!obj.is_object()) return Error(path, "must be an object");
    for (const auto& [k, v] : obj.items()) {
      const SettingSpec* spec = FindSetting(target, k);
      std::string p = Join(path, k);
      if (!spec) return Error(p, "unknown setting (docs/configuration.md lists them)");
      if (auto by = DecidedBy(*spec))
        return Error(p, fmt::format("pgstack decides it from {}, not from settings", *by));
      std::string value;
      switch (spec->type) {
        case SettingType::kInt:
          if (!v.is_number_integer())
            return Error(p, fmt::format("must be an integer, not {}", v.dump()));
          value = std::to_string(v.get<long long>());
          break;
        case SettingType::kSize:
          if (v.is_number_integer()) {
            value = std::to_string(v.get<long long>());
          } else if (v.is_string() && SizeInKb(v.get<std::string>()) >= 0) {
            value = v.get<std::string>();
          } else {
            return Error(p, fmt::format("must be a size such as \"256MB\", not {}", v.dump()));
          }
          break;
        case SettingType::kBool:
          if (!v.is_boolean())
            return Error(p, fmt::format("must be true or false, not {}", v.dump()));
          value = v.get<bool>() ? "on" : "off";
          break;
        case SettingType::kString:
          if (!v.is_string()) return Error(p, fmt::format("must be a string, not {}", v.dump()));
          value = v.get<std::string>();
          if (value.find_first_of("'\n\r") != std::string::npos)
            return Error(p, "must not contain quotes or line breaks");
          break;
      }
      if (!IsAllowed(*spec, value)) {
        std::string allowed = AllowedValues(*spec);
        allowed.erase(std::remove(allowed.begin(), allowed.end(), '`'), allowed.end());
        return Error(
            p, fmt::format("must be {}, not {}",
                           allowed.starts_with("one of") ? allowed : "from " + allowed, v.dump()));
      }
      (*out)[k] = value;
    }
    return Status::Ok();
  }

  static std::string Join(const std::string& path, std::string_view key) {
    return path + "." + std::string(key);
  }

 private:
  std::string file_;
};

// An environment as the layers of the file build it up; the settings become lists at the end.
struct Layers {
  Environment env;
  std::map<std::string, std::string> postgres_settings, pgbouncer_settings;
  std::string durability_path;  // where "durability" was last set, for messages
};

// The "migrate" object of a layer: each placeholder and each directory replaces the one below.
Status ApplyMigrate(const Reader& r, const json& m, const std::string& path, MigrateConfig* out) {
  PGSTACK_RETURN_IF_ERROR(r.CheckKeys(m, path, {"flyway_placeholders", "lint_disable", "history"}));
  if (m.contains("flyway_placeholders")) {
    const json& ph = m["flyway_placeholders"];
    std::string pp = path + ".flyway_placeholders";
    if (!ph.is_object()) return r.Error(pp, "must be an object of name: value");
    for (const auto& [k, v] : ph.items()) {
      if (k.empty() || k.find('}') != std::string::npos)
        return r.Error(Reader::Join(pp, k), "not a placeholder name");
      if (!v.is_string()) return r.Error(Reader::Join(pp, k), "must be a string");
      std::string name = k;
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      out->flyway_placeholders[name] = v.get<std::string>();
    }
  }
  if (m.contains("lint_disable")) {
    const json& ld = m["lint_disable"];
    std::string lp = path + ".lint_disable";
    if (!ld.is_object()) return r.Error(lp, "must be an object of directory: [rule, ...]");
    for (const auto& [dir, rules] : ld.items()) {
      if (!rules.is_array())
        return r.Error(Reader::Join(lp, dir), "must be an array of rule names");
      std::vector<std::string>& list = out->lint_disable[dir];
      list.clear();
      for (size_t i = 0; i < rules.size(); ++i) {
        if (!rules[i].is_string())
          return r.Error(fmt::format("{}[{}]", Reader::Join(lp, dir), i), "must be a string");
        list.push_back(rules[i].get<std::string>());
      }
    }
  }
  if (m.contains("history")) {
    const json& hs = m["history"];
    std::string hp = path + ".history";
    if (!hs.is_object()) return r.Error(hp, "must be an object of directory: history name");
    for (const auto& [dir, name] : hs.items()) {
      if (!name.is_string()) return r.Error(Reader::Join(hp, dir), "must be a string");
      out->history[dir] = name.get<std::string>();
    }
  }
  return Status::Ok();
}

// Applies one layer (the file's "defaults", then the environment itself) over what the layers
// before it gave: each key it has replaces the value below, objects merge key by key.
Status ApplyLayer(const Reader& r, const json& e, const std::string& path, Layers* out) {
  PGSTACK_RETURN_IF_ERROR(r.CheckKeys(
      e, path,
      {"mode", "durability", "postgres", "pgbouncer", "verify", "migrate", "replication"}));
  if (e.contains("durability")) {
    std::string durability;
    PGSTACK_RETURN_IF_ERROR(r.String(e, path, "durability", &durability));
    if (durability != "on" && durability != "off")
      return r.Error(path + ".durability", "must be \"on\" or \"off\"");
    out->env.durable = durability == "on";
    out->durability_path = path + ".durability";
  }
  if (e.contains("mode")) {
    std::string mode;
    PGSTACK_RETURN_IF_ERROR(r.String(e, path, "mode", &mode));
    if (mode == "local")
      out->env.mode = Mode::kLocal;
    else if (mode == "external")
      out->env.mode = Mode::kExternal;
    else
      return r.Error(path + ".mode", "must be \"local\" or \"external\"");
  }
  if (e.contains("postgres")) {
    const json& pg = e["postgres"];
    std::string pp = path + ".postgres";
    PGSTACK_RETURN_IF_ERROR(r.CheckKeys(pg, pp,
                                        {"host", "port", "database", "user", "password_env",
                                         "admin_url_env", "extensions", "settings"}));
    PostgresConfig& pc = out->env.postgres;
    PGSTACK_RETURN_IF_ERROR(r.Address(pg, pp, "host", &pc.host));
    PGSTACK_RETURN_IF_ERROR(r.Port(pg, pp, "port", &pc.port));
    PGSTACK_RETURN_IF_ERROR(r.Name(pg, pp, "database", &pc.database));
    PGSTACK_RETURN_IF_ERROR(r.Name(pg, pp, "user", &pc.user));
    PGSTACK_RETURN_IF_ERROR(r.VariableName(pg, pp, "password_env", &pc.password_env));
    PGSTACK_RETURN_IF_ERROR(r.VariableName(pg, pp, "admin_url_env", &pc.admin_url_env));
    if (pg.contains("extensions")) {
      const json& ex = pg["extensions"];
      if (!ex.is_array()) return r.Error(pp + ".extensions", "must be an array of names");
      pc.extensions.clear();
      for (size_t i = 0; i < ex.size(); ++i) {
        if (!ex[i].is_string())
          return r.Error(fmt::format("{}.extensions[{}]", pp, i), "must be a string");
        pc.extensions.push_back(ex[i].get<std::string>());
        PGSTACK_RETURN_IF_ERROR(
            r.CheckName(fmt::format("{}.extensions[{}]", pp, i), pc.extensions.back()));
      }
    }
    if (pg.contains("settings"))
      PGSTACK_RETURN_IF_ERROR(
          r.Settings(pg["settings"], pp + ".settings", Target::kPostgres, &out->postgres_settings));
  }
  if (e.contains("pgbouncer")) {
    const json& b = e["pgbouncer"];
    std::string bp = path + ".pgbouncer";
    PGSTACK_RETURN_IF_ERROR(r.CheckKeys(b, bp, {"listen_addr", "port", "settings"}));
    PGSTACK_RETURN_IF_ERROR(r.Address(b, bp, "listen_addr", &out->env.pgbouncer.listen_addr));
    PGSTACK_RETURN_IF_ERROR(r.Port(b, bp, "port", &out->env.pgbouncer.port));
    if (b.contains("settings"))
      PGSTACK_RETURN_IF_ERROR(r.Settings(b["settings"], bp + ".settings", Target::kPgBouncer,
                                         &out->pgbouncer_settings));
  }
  if (e.contains("verify")) {
    const json& v = e["verify"];
    std::string vp = path + ".verify";
    VerifyConfig& vc = out->env.verify;
    PGSTACK_RETURN_IF_ERROR(
        r.CheckKeys(v, vp, {"jsonb_rows", "jsonb_max_ms", "jsonb_min_speedup"}));
    PGSTACK_RETURN_IF_ERROR(r.Number(v, vp, "jsonb_rows", &vc.jsonb_rows));
    PGSTACK_RETURN_IF_ERROR(r.Number(v, vp, "jsonb_max_ms", &vc.jsonb_max_ms));
    PGSTACK_RETURN_IF_ERROR(r.Number(v, vp, "jsonb_min_speedup", &vc.jsonb_min_speedup));
  }
  if (e.contains("replication")) {
    const json& v = e["replication"];
    std::string vp = path + ".replication";
    ReplicationConfig& rc = out->env.replication;
    PGSTACK_RETURN_IF_ERROR(r.CheckKeys(v, vp, {"replicas", "max_lag_bytes"}));
    if (v.contains("replicas")) {
      const json& n = v["replicas"];
      if (!n.is_number_integer() || n.get<long long>() < 0 ||
          n.get<long long>() > ReplicationConfig::kMaxReplicas)
        return r.Error(vp + ".replicas",
                       fmt::format("must be an integer, 0 to {}", ReplicationConfig::kMaxReplicas));
      rc.replicas = n.get<int>();
    }
    PGSTACK_RETURN_IF_ERROR(r.Number(v, vp, "max_lag_bytes", &rc.max_lag_bytes));
  }
  if (e.contains("migrate")) {
    PGSTACK_RETURN_IF_ERROR(ApplyMigrate(r, e["migrate"], path + ".migrate", &out->env.migrate));
  }
  return Status::Ok();
}

}  // namespace

std::optional<std::string> Environment::setting(const std::string& name) const {
  for (const auto* list : {&postgres.settings, &pgbouncer.settings}) {
    for (const auto& [k, v] : *list) {
      if (k == name) return v;
    }
  }
  return std::nullopt;
}

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

namespace {

Result<json> ParseRoot(const std::string& text, const std::string& file) {
  json root;
  std::string duplicate;
  try {
    root = json::parse(text, DuplicateKeyFinder(&duplicate));
  } catch (const json::parse_error& e) {
    return Status::InvalidInput(
        fmt::format("{}: invalid JSON at {}", file, LineColumn(text, e.byte > 0 ? e.byte - 1 : 0)));
  } catch (const json::out_of_range&) {
    // nlohmann reports a number beyond double's range (1e999) this way, without its position.
    return Status::InvalidInput(fmt::format("{}: invalid JSON: a number out of range", file));
  }
  // JSON parsers keep one of two equal keys; which one the author meant, nobody knows.
  if (!duplicate.empty()) return Status::InvalidInput(fmt::format("{}: {}", file, duplicate));
  return root;
}

Result<Environment> EnvironmentOf(const json& root, const std::string& file,
                                  const std::string& name) {
  Reader r(file);
  PGSTACK_RETURN_IF_ERROR(r.CheckKeys(root, "$", {"$schema", "defaults", "environments"}));
  if (!root.contains("environments") || !root["environments"].is_object())
    return r.Error("$.environments", "missing (an object of named environments)");
  const json& envs = root["environments"];
  if (!envs.contains(name)) {
    std::vector<std::string> known;
    for (const auto& [k, v] : envs.items()) known.push_back(k);
    return Status::InvalidInput(fmt::format("{}: no environment '{}'{} (it has: {})", file, name,
                                            DidYouMean(name, known), JoinNames(known)));
  }
  std::string path = "$.environments." + name;
  Layers layers;
  if (root.contains("defaults"))
    PGSTACK_RETURN_IF_ERROR(ApplyLayer(r, root["defaults"], "$.defaults", &layers));
  PGSTACK_RETURN_IF_ERROR(ApplyLayer(r, envs[name], path, &layers));

  Environment& out = layers.env;
  out.name = name;
  out.file = file;
  if (out.postgres.database.empty()) return r.Error(path + ".postgres.database", "missing");
  if (out.postgres.user.empty()) return r.Error(path + ".postgres.user", "missing");
  if (!out.durable && out.mode == Mode::kExternal) {
    return r.Error(
        layers.durability_path,
        "\"off\" is for throwaway local stacks; an external server keeps its durability");
  }
  out.postgres.settings =
      EffectiveSettings(Target::kPostgres, layers.postgres_settings, out.postgres.user);
  out.pgbouncer.settings =
      EffectiveSettings(Target::kPgBouncer, layers.pgbouncer_settings, out.postgres.user);
  return std::move(out);
}

}  // namespace

Result<Environment> ParseEnvironment(const std::string& text, const std::string& file,
                                     const std::string& name) {
  PGSTACK_ASSIGN_OR_RETURN(json root, ParseRoot(text, file));
  return EnvironmentOf(root, file, name);
}

std::vector<Result<Environment>> ParseEnvironments(const std::string& text, const std::string& file,
                                                   const std::vector<std::string>& names) {
  Result<json> root = ParseRoot(text, file);
  std::vector<Result<Environment>> out;
  for (const auto& name : names) {
    out.push_back(root.ok() ? EnvironmentOf(*root, file, name)
                            : Result<Environment>(root.status()));
  }
  return out;
}

Result<std::vector<std::string>> EnvironmentNames(const std::string& file) {
  auto text = ReadFileIfExists(file);
  if (!text.ok() || !*text)
    return Status::InvalidInput(fmt::format("{}: cannot read the config file", file));
  PGSTACK_ASSIGN_OR_RETURN(json root, ParseRoot(**text, file));
  std::vector<std::string> names;
  if (root.contains("environments") && root["environments"].is_object()) {
    for (const auto& [name, env] : root["environments"].items()) names.push_back(name);
  }
  return names;
}

Result<Environment> LoadEnvironment(const std::string& file, const std::string& name) {
  auto text = ReadFileIfExists(file);
  if (!text.ok() || !*text)
    return Status::InvalidInput(fmt::format("{}: cannot read the config file", file));
  return ParseEnvironment(**text, file, name);
}

}  // namespace pgstack::core
