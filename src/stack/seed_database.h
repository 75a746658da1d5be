// The seed: the application database with its extensions, made once per cached cluster, so that
// a cold `up` renames it and gives it its owner instead of paying for CREATE DATABASE (its WAL
// made durable) and each CREATE EXTENSION.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "internal.h"
#include "pgstack/core/config.h"

namespace pgstack::stack {

// The seed's name in a cluster until a cold `up` renames it to the configured database.
inline constexpr const char* kSeedDatabase = "pgstack_seed";

// The extensions of the seed a cluster for this configuration gets, in the configured order;
// none when the configured database is one a new cluster already has (or the seed's own name),
// which no rename could give it.
std::optional<std::vector<std::string>> SeedFor(const core::PostgresConfig& cfg);

// Makes the seed in data_dir, a new cluster that is not running: CREATE DATABASE, then its
// extensions, each in a single-user postgres as the bootstrap superuser (the same owner a
// running server's provisioning gives them). Without fsync: the caller syncs the cluster.
Status CreateSeed(core::ProcessRunner& runner, const core::OsUser& service,
                  const std::string& bin_dir, const std::string& data_dir,
                  const std::vector<std::string>& extensions);

}  // namespace pgstack::stack
