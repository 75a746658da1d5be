#include "pgstack/migrate/history_name.h"

#include <fmt/format.h>

#include <array>

#include "config_dir.h"

namespace pgstack::migrate {
namespace {

// Tables of schema pgstack that are not a history: a history of that name would be taken for
// (or silently "created" as) the existing one.
constexpr std::array<std::string_view, 2> kOwnTables = {"migration_lock", "history_lease"};

// An unquoted identifier as PostgreSQL keeps it, so that the table's name in psql or in another
// tool's config is exactly the name given.
bool PlainIdentifier(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  if (name.front() >= '0' && name.front() <= '9') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Result<HistoryTable> HistoryNamed(std::string_view name) {
  if (!PlainIdentifier(name)) {
    return Status::InvalidInput(
        fmt::format("history name '{}': not a lower-case SQL identifier (a-z, 0-9 and _, not "
                    "starting with a digit, at most 63 bytes)",
                    name));
  }
  for (std::string_view own : kOwnTables) {
    if (name == own) {
      return Status::InvalidInput(fmt::format(
          "history name '{}': pgstack.{} is pgstack's own table; choose another name", name, own));
    }
  }
  // Quoted, so that a name that is also a keyword ("order", "user") is a table name all the same.
  HistoryTable h{.name = std::string(name), .table = fmt::format("pgstack.\"{}\"", name)};
  if (name == kDefaultHistory) {
    h.lease_table = "pgstack.migration_lock";
    h.lease_column = "id";
    h.lease_key = "id = 1";
    h.lease_new = "(id) VALUES (1)";
  } else {
    h.lease_table = "pgstack.history_lease";
    h.lease_column = "history";
    h.lease_key = fmt::format("history = '{}'", name);
    h.lease_new = fmt::format("(history) VALUES ('{}')", name);
  }
  return h;
}

Result<std::string> ConfigHistoryName(const core::MigrateConfig& config,
                                      const std::string& config_file, const std::string& dir) {
  for (const auto& [key, name] : config.history) {
    if (!internal::ConfigKeyNamesDir(key, dir, config_file)) continue;
    auto named = HistoryNamed(name);
    if (!named.ok()) {
      return named.status().WithContext(fmt::format("{}: migrate.history.{}", config_file, key));
    }
    return name;
  }
  return std::string(kDefaultHistory);
}

}  // namespace pgstack::migrate
