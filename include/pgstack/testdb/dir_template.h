// Templates made by pgstack itself from a migrations directory (any format migrate reads) and
// fixture files, named by a hash of what goes into them: the recipe's version, the format, the
// history's name, each migration's key and checksum, and each fixture's name and checksum. Same
// inputs, same hash, on every machine; an edited migration or fixture is a new template.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pgstack/core/status.h"
#include "pgstack/migrate/history_name.h"
#include "pgstack/migrate/migration.h"
#include "pgstack/testdb/service.h"

namespace pgstack::testdb {

struct DirTemplate {
  std::string dir = "database/migrations";
  std::optional<migrate::Format> format;  // detected when empty
  // The history the template's migrations are recorded in, so that `migrate` run on a test
  // database with the same config finds them applied. Part of the hash when not the default.
  std::string history = std::string(migrate::kDefaultHistory);
  std::vector<std::string> fixtures;  // SQL files run in order after the migrations
};

// The template hash (32 hex characters). kInvalidInput for unreadable or invalid files.
Result<std::string> HashOfDir(const DirTemplate& t);

// The hash of a ready template of t, building it first when there is none (or waiting for the
// process that builds it). A migration or fixture that fails is reported as file:line:column;
// what the build made is dropped, so a retry builds again.
Result<std::string> EnsureDirTemplate(Service& service, const DirTemplate& t);

// What `get --dir` hands out: t's template, built first (EnsureDirTemplate) only when t's
// directory has no ready template yet or its newest one was built with the same flags (its
// migrations changed since). kInvalidInput naming the flags that differ otherwise: a get never
// silently builds a template other than the one the user built (say, without its fixtures).
Result<std::string> TemplateForGet(Service& service, const DirTemplate& t);

}  // namespace pgstack::testdb
