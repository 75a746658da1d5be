// The check functions AllChecks() lists, one per row of its table, grouped by what they look at
// (checks_<group>.cpp). Each returns an Outcome and changes nothing.
#pragma once

#include "pgstack/verify/check.h"
#include "probe.h"

namespace pgstack::verify {

// PostgreSQL (checks_postgres.cpp).
Outcome PostgresRunning(Probe& probe);
Outcome PostgresLogin(Probe& probe);
Outcome PostgresVersion(Probe& probe);
Outcome PostgresSettings(Probe& probe);
Outcome PostgresDurability(Probe& probe);
Outcome PostgresDatabase(Probe& probe);
Outcome PostgresCreateTable(Probe& probe);
Outcome PostgresExtensions(Probe& probe);

// JSONB, the plan's step 2 (checks_jsonb.cpp).
Outcome JsonbScript(Probe& probe);
Outcome JsonbGinIndex(Probe& probe);
Outcome JsonbPerformance(Probe& probe);

// PgBouncer, the plan's step 3 (checks_pgbouncer.cpp).
Outcome PgBouncerRunning(Probe& probe);
Outcome PgBouncerLogin(Probe& probe);
Outcome PgBouncerPoolMode(Probe& probe);
Outcome PgBouncerConfig(Probe& probe);
Outcome PgBouncerPools(Probe& probe);
Outcome PgBouncerStats(Probe& probe);
Outcome PgBouncerUserlist(Probe& probe);

// Security (checks_security.cpp, checks_files.cpp).
Outcome SecurityScram(Probe& probe);
Outcome SecurityHbaNoTrust(Probe& probe);
Outcome SecurityServerLog(Probe& probe);
Outcome SecurityUserlistMode(Probe& probe);
Outcome SecurityCredentialsMode(Probe& probe);
Outcome SecurityStateDirMode(Probe& probe);
Outcome SecurityPostgresListen(Probe& probe);

// Streaming replicas (checks_replication.cpp).
// False on a local stack without replicas (external mode: the server may have standbys).
bool ReplicasExpected(Probe& probe);
Outcome ReplicationStreaming(Probe& probe);
Outcome ReplicationLag(Probe& probe);
Outcome ReplicationReadOnly(Probe& probe);
Outcome ReplicationReadPool(Probe& probe);
Outcome ReplicationSlots(Probe& probe);

// The schema (checks_schema.cpp).
Outcome SchemaDrift(Probe& probe);
Outcome SecurityPgBouncerListen(Probe& probe);

}  // namespace pgstack::verify
