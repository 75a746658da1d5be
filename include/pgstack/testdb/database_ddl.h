// The DDL testdb runs on whole databases, on a superuser connection outside any transaction
// (CREATE and DROP DATABASE cannot run in one). Callers hold the catalog row of the database.
#pragma once

#include <string>
#include <vector>

#include "pgstack/core/status.h"
#include "pgstack/pg/connection.h"
#include "pgstack/testdb/options.h"

namespace pgstack::testdb {

// Drops name if it exists, templates included, ending its sessions first. Waits (up to a
// minute) for a CREATE DATABASE of the same name still running in another session.
Status DropDatabase(pg::Connection& conn, const std::string& name);

// CREATE DATABASE name TEMPLATE source OWNER owner STRATEGY ..., then its comment. When the
// comment fails the new database is dropped again, so nothing unmarked stays behind.
Status CloneDatabase(pg::Connection& conn, const std::string& name, const std::string& source,
                     const std::string& owner, Strategy strategy, const std::string& comment);

// The databases that carry testdb's name prefix and comment (names.h) and for which and_also, a
// condition on `d` (their pg_database row), holds too. Only such databases are ever dropped
// without a catalog row that names them.
Result<std::vector<std::string>> MarkedDatabases(pg::Connection& conn,
                                                 const std::string& and_also = "true");

// Creates login role name (a member of location::kTestdbGroupRole, whom pg_hba lets into the
// database of the same name only) with password, sent as a SCRAM verifier, and testdb's comment;
// when it exists already (a recreation), sets its password and LOGIN again.
Status EnsureLoginRole(pg::Connection& conn, const std::string& name, const std::string& password,
                       const std::string& comment);
// Drops role name when it carries testdb's comment (names.h); nothing else is ever dropped.
Status DropMarkedRole(pg::Connection& conn, const std::string& name);
// DropDatabase, then the role of the same name that testdb made for it, if any.
Status DropDatabaseAndRole(pg::Connection& conn, const std::string& name);
// Closes a fresh clone name of template source to all but its owner: no CONNECT or TEMP for
// PUBLIC, and what the template's builder role (named as source) owns inside becomes owner's.
// admin: the administrator's connection parameters, for a session in the clone.
Status Seclude(pg::Connection& conn, const pg::ConnParams& admin, const std::string& name,
               const std::string& source, const std::string& owner);
// The roles that carry testdb's name prefix and comment and for which and_also, a condition on
// `r` (their pg_roles row), holds.
Result<std::vector<std::string>> MarkedRoles(pg::Connection& conn,
                                             const std::string& and_also = "true");

// Makes name a template that allows no connections, ending the sessions still in it (the
// client that built it may not have closed all of its own yet). Its builder role (of the same
// name), if any, gives the database to the administrator and logs in no more.
Status SealTemplate(pg::Connection& conn, const std::string& name);

}  // namespace pgstack::testdb
